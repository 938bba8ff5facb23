import { Counter, Gauge, type Registry } from "prom-client";

/** Paging's series on the collector's /metrics (the same Registry, passed in). */
export class PagingMetrics {
  /** Pages that reached a final state: result sent or failed (every channel exhausted). */
  readonly pagesSent: Counter<"channel" | "result">;
  /** Every failed attempt, retried or not. */
  readonly deliveryFailures: Counter<"channel">;

  constructor(registry: Registry, pending: () => Promise<number>) {
    this.pagesSent = new Counter({
      name: "watchfloor_pages_sent_total",
      help: "Pages finished, by the channel of the last attempt and result (sent, failed: no channel left).",
      labelNames: ["channel", "result"],
      registers: [registry],
    });
    this.deliveryFailures = new Counter({
      name: "watchfloor_page_delivery_failures_total",
      help: "Failed delivery attempts (each retry counts), by channel.",
      labelNames: ["channel"],
      registers: [registry],
    });
    const queue: Gauge = new Gauge({
      name: "watchfloor_page_queue_pending",
      help: "Pages waiting in the durable send queue (due now or waiting for a retry).",
      registers: [registry],
      collect: async () => {
        queue.set(await pending());
      },
    });
  }
}
