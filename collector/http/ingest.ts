import type { FastifyInstance } from "fastify";
import { eventBatchSchema, type EventBatchReply } from "../../common/wire.ts";
import type { CollectorContext } from "../context.ts";
import { parseBody } from "./validate.ts";

/**
 * POST /api/v1/events: agents deliver condition changes and heartbeats. A batch's event ids are recorded
 * with their effects in one transaction, committed before the reply: a redelivered event is
 * acknowledged and changes nothing, and a batch that fails leaves nothing behind (the agent resends it).
 */
export async function ingestRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  app.post("/api/v1/events", { config: { allow: { agents: true } }, bodyLimit: 4 * 1024 * 1024 }, async (req, reply) => {
    const batch = parseBody(eventBatchSchema, req.body, reply);
    if (!batch) return reply;
    const principal = req.principal!;
    if (principal.kind !== "agent" || principal.id !== batch.agent)
      return reply.code(403).send({ error: "forbidden", message: `this token belongs to another agent than ${batch.agent}` });
    const out: EventBatchReply = { accepted: 0, duplicates: 0 };
    const now = ctx.clock.now();
    const accepted = new Map<string, number>();
    // One transaction for the whole batch (one fsync), committed before the reply acknowledges it.
    ctx.faults.transaction(() => {
      for (const event of batch.events) {
        if (!ctx.store.rememberEvent(event.id, batch.agent, event.type, now, event)) {
          out.duplicates += 1;
          continue;
        }
        out.accepted += 1;
        accepted.set(event.type, (accepted.get(event.type) ?? 0) + 1);
        if (event.type === "heartbeat") {
          ctx.liveness.heartbeat(batch.agent, Date.parse(event.at), event.interval);
          continue;
        }
        const res = ctx.faults.dispatch({
          type: "condition",
          eventId: event.id,
          at: Date.parse(event.observedAt),
          device: event.device,
          condition: event.condition,
          labels: event.labels,
          state: event.state,
          classHint: event.classHint,
          title: event.title,
        });
        if (!res.ok) req.log.warn({ event: event.id, error: res.error }, "event not applied");
      }
    });
    for (const [type, n] of accepted) ctx.metrics.eventsReceived.inc({ type }, n);
    ctx.metrics.eventsDuplicate.inc(out.duplicates);
    return out;
  });
}
