import type { FastifyInstance } from "fastify";
import { threadCpuMs } from "../../common/thread-cpu.ts";
import { eventBatchSchema, type EventBatchReply } from "../../common/wire.ts";
import type { CollectorContext } from "../context.ts";
import type { EngineBatch } from "../fault-service.ts";
import { parseBody } from "./validate.ts";

/**
 * Longest the event loop is held applying one slice of a batch (the API and timers answer between
 * slices), in CPU time of the loop's own thread (common/thread-cpu.ts): on a busy machine the wall
 * clock also counts the time the OS ran other processes, and the process's CPU time that of V8's
 * parallel GC threads, and cutting an ordinary batch into several transactions (one fsync each) then
 * only makes it slower.
 */
export const SLICE_MS = 10;

/**
 * A slice takes at least this many events, so an ordinary small batch is always one transaction; the
 * CPU clock (a system call) is read once per this many events, and only once the wall clock (never
 * less than the CPU time) says the slice may be over.
 */
const MIN_SLICE_EVENTS = 8;

/**
 * How many events a part of a slice takes: as many as half the CPU time left in the slice is expected
 * to apply (so an ordinary batch records its ids in a statement or two, not one per MIN_SLICE_EVENTS),
 * at least MIN_SLICE_EVENTS, and at most twice the part before. The rate is the recent cost per event,
 * rising at once with a costlier part and falling by halves: a rate measured on cheap events must not
 * let one part of costly ones (a storm folding under its parent) hold the loop for long.
 */
export class SlicePace {
  /** Recent CPU ms per event; undefined before the first part. */
  private msPerEvent: number | undefined;
  private lastPart = MIN_SLICE_EVENTS;

  partSize(budgetMs: number): number {
    const fits = this.msPerEvent === undefined ? MIN_SLICE_EVENTS : Math.floor(budgetMs / 2 / this.msPerEvent);
    this.lastPart = Math.max(MIN_SLICE_EVENTS, Math.min(fits, this.lastPart * 2));
    return this.lastPart;
  }

  record(events: number, ms: number): void {
    if (events === 0) return;
    const rate = Math.max(ms, 0) / events;
    this.msPerEvent = this.msPerEvent === undefined ? rate : Math.max(rate, (this.msPerEvent + rate) / 2);
  }
}

/**
 * POST /api/v1/events: agents deliver condition changes and heartbeats. A batch's event ids are recorded
 * with their effects in one transaction, committed before the reply: a redelivered event is
 * acknowledged and changes nothing, and a batch that fails leaves nothing behind (the agent resends it).
 * A batch that takes longer than SLICE_MS to apply (a storm; never one of MIN_SLICE_EVENTS or fewer) is applied in slices, one transaction
 * each, yielding to the event loop between them; the reply still waits for the last commit, and a
 * failure part-way leaves only whole slices, whose ids make the agent's resend harmless.
 */
export async function ingestRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  const pace = new SlicePace();
  app.post("/api/v1/events", { config: { allow: { agents: true } }, bodyLimit: 4 * 1024 * 1024 }, async (req, reply) => {
    const batch = parseBody(eventBatchSchema, req.body, reply);
    if (!batch) return reply;
    const principal = req.principal!;
    if (principal.kind !== "agent" || principal.id !== batch.agent)
      return reply.code(403).send({ error: "forbidden", message: `this token belongs to another agent than ${batch.agent}` });
    ctx.liveness.seen(batch.agent);
    const out: EventBatchReply = { accepted: 0, duplicates: 0 };
    const now = ctx.clock.now();
    const times = ctx.eventTimes.forBatch(batch.agent, batch.sentAt, now);
    const accepted = new Map<string, number>();
    // Only a heartbeat waits for the store: a condition event is applied without a turn of the microtask queue.
    const apply = (b: EngineBatch, event: (typeof batch.events)[number], fresh: boolean): Promise<void> | undefined => {
      if (!fresh) {
        out.duplicates += 1;
        return;
      }
      out.accepted += 1;
      accepted.set(event.type, (accepted.get(event.type) ?? 0) + 1);
      if (event.type === "heartbeat") return ctx.liveness.heartbeat(b, batch.agent, times.heartbeatAt(event), event.interval);
      const { at, correction } = times.conditionAt(event);
      const res = b.dispatch({
        type: "condition",
        eventId: event.id,
        at,
        device: event.device,
        condition: event.condition,
        labels: event.labels,
        state: event.state,
        classHint: event.classHint,
        title: event.title,
      });
      if (!res.ok) req.log.warn({ event: event.id, error: res.error }, "event not applied");
      else if (correction) times.note(b, event, at, correction);
    };
    let next = 0;
    while (next < batch.events.length) {
      // One transaction (one fsync) per slice: the whole batch unless it outlasts SLICE_MS. Event ids
      // are recorded a part at a time (one statement, one round trip to PostgreSQL), each part as many
      // events as SlicePace expects the CPU time left in the slice to apply, and the clocks read after it.
      await ctx.faults.transaction(async (b) => {
        const wall = performance.now();
        const cpu = threadCpuMs();
        let used = 0;
        // Each part's CPU time runs from the end of the one before (one clock read per part, not two).
        let started = cpu;
        do {
          const part = batch.events.slice(next, next + pace.partSize(SLICE_MS - used));
          next += part.length;
          const fresh = await b.store.rememberEvents(
            part.map((e) => ({ id: e.id, agent: batch.agent, type: e.type, receivedAt: now, body: e })),
          );
          for (const e of part) {
            const waiting = apply(b, e, fresh.delete(e.id));
            if (waiting) await waiting;
          }
          const end = threadCpuMs();
          pace.record(part.length, end - started);
          used = end - cpu;
          started = end;
        } while (next < batch.events.length && (performance.now() - wall < SLICE_MS || used < SLICE_MS));
      });
      if (next < batch.events.length) await new Promise((resolve) => setImmediate(resolve));
    }
    times.finish();
    for (const [type, n] of accepted) ctx.metrics.eventsReceived.inc({ type }, n);
    ctx.metrics.eventsDuplicate.inc(out.duplicates);
    return out;
  });
}
