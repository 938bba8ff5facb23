import { Counter, Gauge, type Registry } from "prom-client";
import type { Reading } from "./profiles/map.ts";

type Labels = Record<string, string>;

/**
 * Readings have per-profile label sets (a UPS has {line}, a switch {ifname}), which prom-client's
 * fixed-label metrics cannot hold; this collector serves the latest readings of every device as is.
 */
class ReadingsCollector {
  private byDevice = new Map<string, Reading[]>();
  constructor(private prefix: string) {}

  set(device: string, readings: Reading[]): void {
    this.byDevice.set(device, readings);
  }
  drop(device: string): void {
    this.byDevice.delete(device);
  }

  register(registry: Registry, known: Set<string>): void {
    const names = new Set<string>();
    for (const readings of this.byDevice.values()) for (const r of readings) names.add(r.name);
    for (const name of names) {
      const full = this.prefix + name;
      if (known.has(full)) continue;
      known.add(full);
      const type = name.endsWith("_total") ? "counter" : "gauge";
      registry.registerMetric({
        name: full,
        help: `Canonical reading ${name} (see README, "Canonical readings").`,
        get: async () => {
          const values: { labels: Labels; value: number }[] = [];
          for (const [device, readings] of this.byDevice)
            for (const r of readings)
              if (r.name === name) values.push({ labels: { device, ...r.labels }, value: r.value });
          return { name: full, help: `Canonical reading ${name}.`, type, values, aggregator: "sum" };
        },
        reset: () => {},
      } as never);
    }
  }
}

/** Everything the agent exports on /metrics; the registry is passed in, never the global one. */
export class AgentMetrics {
  readonly deviceUp: Gauge<"device">;
  readonly pollDuration: Gauge<"device">;
  readonly pollErrors: Counter<"device" | "kind">;
  readonly polls: Counter<"device">;
  readonly conditionFiring: Gauge<"device" | "condition">;
  readonly outboxPending: Gauge;
  readonly eventsDelivered: Counter;
  readonly deliveryFailures: Counter;
  readonly eventsRejected: Counter;
  /** Read at scrape time: how many events wait in the outbox. */
  pendingEvents: (() => number) | undefined;
  private readings = new ReadingsCollector("watchfloor_");
  private known = new Set<string>();

  constructor(private registry: Registry) {
    this.deviceUp = new Gauge({
      name: "watchfloor_device_up",
      help: "1 when the device answered its last poll, 0 when it did not.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollDuration = new Gauge({
      name: "watchfloor_poll_duration_seconds",
      help: "How long the device's last poll took.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.polls = new Counter({
      name: "watchfloor_polls_total",
      help: "Polls started per device.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollErrors = new Counter({
      name: "watchfloor_poll_errors_total",
      help: "Poll errors per device; kind is unreachable (no answer) or reading (one value failed).",
      labelNames: ["device", "kind"],
      registers: [registry],
    });
    this.conditionFiring = new Gauge({
      name: "watchfloor_conditions_firing",
      help: "Condition instances currently firing per device and condition.",
      labelNames: ["device", "condition"],
      registers: [registry],
    });
    this.outboxPending = new Gauge({
      name: "watchfloor_outbox_pending_events",
      help: "Events on disk waiting for the collector's acknowledgement.",
      registers: [registry],
      collect: () => {
        if (this.pendingEvents) this.outboxPending.set(this.pendingEvents());
      },
    });
    this.eventsDelivered = new Counter({
      name: "watchfloor_events_delivered_total",
      help: "Events the collector acknowledged.",
      registers: [registry],
    });
    this.eventsRejected = new Counter({
      name: "watchfloor_outbox_rejected_events_total",
      help: "Events the collector refused as malformed (400), set aside in the outbox's rejected table.",
      registers: [registry],
    });
    this.deliveryFailures = new Counter({
      name: "watchfloor_event_delivery_failures_total",
      help: "Failed attempts to deliver a batch of events to the collector.",
      registers: [registry],
    });
  }

  setReadings(device: string, readings: Reading[]): void {
    this.readings.set(device, readings);
    this.readings.register(this.registry, this.known);
  }
}
