import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import type { Clock } from "../../common/clock.ts";
import type { CollectorStore } from "./store.ts";

const HOUR_MS = 3_600_000;

/**
 * Deletes what no rule can still need, on a schedule: heartbeat receipts (liveness keeps only each
 * agent's last beat, in `agents`) and condition-event receipts past the retention (redelivery of such
 * an event changes nothing either way: the engine still holds it, or it is older than what was
 * archived). The audit trail and fault rows are never pruned; the archive already deletes the
 * engine's rows that only served archived faults.
 */
export class StorePruner {
  private timer: NodeJS.Timeout | undefined;
  private readonly pruned: Counter<"table">;

  constructor(
    private deps: {
      store: CollectorStore;
      clock: Clock;
      logger: Logger;
      registry: Registry;
      retention: { events: number; heartbeats: number };
    },
  ) {
    this.pruned = new Counter({
      name: "watchfloor_store_pruned_rows_total",
      help: "Rows deleted by the retention schedule (collector.retention), by table.",
      labelNames: ["table"],
      registers: [deps.registry],
    });
  }

  /** One pass; returns the rows deleted. */
  async prune(): Promise<{ heartbeats: number; events: number }> {
    const now = this.deps.clock.now();
    const { events, heartbeats } = this.deps.retention;
    const out = await this.deps.store.transaction(async (tx) => {
      const q = tx.db.q;
      const beats = await q
        .deleteFrom("events")
        .where("type", "=", "heartbeat")
        .where("received_at", "<", now - heartbeats * 1000)
        .executeTakeFirst();
      const conditions = await q
        .deleteFrom("events")
        .where("type", "<>", "heartbeat")
        .where("received_at", "<", now - events * 1000)
        .executeTakeFirst();
      return { heartbeats: Number(beats.numDeletedRows), events: Number(conditions.numDeletedRows) };
    });
    this.pruned.inc({ table: "events" }, out.heartbeats + out.events);
    if (out.heartbeats + out.events > 0) this.deps.logger.info(out, "pruned event receipts past retention");
    return out;
  }

  start(): void {
    const run = () =>
      this.prune().catch((err) =>
        this.deps.logger.error({ err }, "pruning the store failed; will try again in an hour"),
      );
    void run();
    this.timer = setInterval(run, HOUR_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
