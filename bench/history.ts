/**
 * Simulated history for the benchmarks (bench:ingest, bench:memory): a store holding `days` of
 * condition events at a year's rate, written as the collector writes them, archived daily.
 */
import {
  type Command,
  defaultPolicy,
  type EngineChanges,
  type Inventory,
  type LiveEngine,
  mergeChanges,
  noChanges,
} from "../collector/domain/index.ts";
import { StoreDb } from "../collector/store/store-db.ts";
import { CollectorStore, type EventReceipt } from "../collector/store/store.ts";

export const DAY = 86_400_000;
/** Faults left open at the end of every history. */
export const OPEN = 2000;
const inventory: Inventory = { devices: {} };

/** Where a store lives: a SQLite file, or a PostgreSQL database. */
export type Target = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export async function openStore(target: Target): Promise<CollectorStore> {
  return new CollectorStore(target.kind === "sqlite" ? StoreDb.sqlite(target.file) : await StoreDb.postgres(target.url));
}

/**
 * `days` of history (`events` condition events, at the year's rate) written the way the collector
 * writes it (engine rows, audit chain, event receipts), with the engine's clock moving through them
 * and archiving daily, then 2,000 faults left open. Much faster than sending it over HTTP, and the
 * same rows.
 */
export async function seedHistory(target: Target, end: number, days: number, events: number): Promise<void> {
  const store = await openStore(target);
  const engine = await store.loadEngine();
  let receipts: EventReceipt[] = [];
  const receipt = (id: string, at: number, body: unknown) =>
    receipts.push({ id, agent: "agent-1", type: "condition", receivedAt: at, body });
  const start = end - days * DAY;
  let ids = 0;
  const newId = () => `F-h${++ids}`;
  let pending: EngineChanges = noChanges(start);
  let audit: ReturnType<LiveEngine["advanceTo"]>["audit"] = [];
  const flush = async (tx: CollectorStore) => {
    for (let k = 0; k < receipts.length; k += 1000) await tx.rememberEvents(receipts.slice(k, k + 1000));
    receipts = [];
    await tx.saveEngine(pending, audit, engine);
    pending = noChanges(pending.now);
    audit = [];
  };
  let nextDay = start + DAY;
  const faults = events / 2;
  // One transaction a simulated day, as before: each ends after the day's archive step.
  let i = 0;
  while (i < faults)
    await store.transaction(async (tx) => {
      for (; i < faults; i++) {
        const at = start + Math.floor((i * (days - 1) * DAY) / faults);
        if (at >= nextDay) {
          const r = engine.advanceTo({ now: at, policy: defaultPolicy, inventory, newId });
          pending = mergeChanges(pending, r.changes);
          audit.push(...r.audit);
          nextDay += DAY;
          await flush(tx);
          return;
        }
        const device = `hist-${i % 2000}`;
        for (const [state, t] of [
          ["firing", at],
          ["clear", at + 30 * 60_000],
        ] as const) {
          const cmd: Command = {
            type: "condition",
            eventId: `h-${i}-${state}`,
            at: t,
            device,
            condition: "link.down",
            state,
          };
          const r = engine.apply(cmd, { now: t, policy: defaultPolicy, inventory, newId });
          if (!r.ok) throw new Error(r.error.message);
          pending = mergeChanges(pending, r.changes);
          audit.push(...r.audit);
          receipt(cmd.eventId, t, { id: cmd.eventId, device, state });
        }
        if (i % 2000 === 1999) await flush(tx);
      }
      await flush(tx);
    });
  await store.transaction(async (tx) => {
    for (let i = 0; i < OPEN; i++) {
      const at = end - DAY + i * 1000;
      const cmd: Command = {
        type: "condition",
        eventId: `open-${i}`,
        at,
        device: `open-${i}`,
        condition: "link.down",
        state: "firing",
      };
      const r = engine.apply(cmd, { now: end, policy: defaultPolicy, inventory, newId });
      if (!r.ok) throw new Error(r.error.message);
      pending = mergeChanges(pending, r.changes);
      audit.push(...r.audit);
      receipt(cmd.eventId, at, { id: cmd.eventId });
    }
    await flush(tx);
  });
  await store.close();
}
