import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { LatestReadings } from "./latest-readings.ts";
import { SET_ASIDE_KINDS } from "./outbox/sender.ts";
import type { Reading } from "./profiles/map.ts";

/** Everything the agent exports on /metrics; the registry is passed in, never the global one. */
export class AgentMetrics {
  readonly deviceUp: Gauge<"device">;
  readonly pollDuration: Histogram<"device">;
  readonly pollErrors: Counter<"device" | "kind">;
  readonly polls: Counter<"device">;
  readonly pollsCompleted: Counter<"device">;
  readonly pollOverruns: Counter<"device">;
  readonly pollTimeouts: Counter<"device">;
  readonly conditionFiring: Gauge<"device" | "condition">;
  readonly outboxPending: Gauge;
  readonly eventsDelivered: Counter;
  readonly deliveryFailures: Counter;
  readonly eventsRejected: Counter<"reason">;
  readonly unreadableReplies: Counter;
  readonly collectorFailovers: Counter;
  readonly collectorCurrent: Gauge<"url">;
  readonly profileInfo: Gauge<"device" | "profile">;
  readonly deviceReprobes: Counter<"device" | "reason">;
  private applied = new Map<string, readonly string[]>();
  /** Read at scrape time: how many events wait in the outbox. */
  pendingEvents: (() => number) | undefined;
  /** The devices' latest readings, written after the registry's metrics on /metrics (see server.ts). */
  readonly readings: LatestReadings;

  constructor(registry: Registry) {
    this.readings = new LatestReadings("watchfloor_", (name) => registry.getSingleMetric(name) !== undefined);
    this.profileInfo = new Gauge({
      name: "watchfloor_device_profile_info",
      help: "1 for each profile applied to a device (with profile: auto, the vendor profile and every standard MIB that answered, as last probed).",
      labelNames: ["device", "profile"],
      registers: [registry],
    });
    this.deviceReprobes = new Counter({
      name: "watchfloor_device_reprobes_total",
      help: "profile: auto devices probed and composed again; reason is sysobjectid (device replaced or other firmware), restart (sysUpTime went back) or unprobed (not recognised at start).",
      labelNames: ["device", "reason"],
      registers: [registry],
    });
    this.deviceUp = new Gauge({
      name: "watchfloor_device_up",
      help: "1 when the device answered its last poll, 0 when it did not.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollDuration = new Histogram({
      name: "watchfloor_poll_duration_seconds",
      help: "How long each poll of the device took (timed-out polls count at their timeout).",
      labelNames: ["device"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.polls = new Counter({
      name: "watchfloor_polls_total",
      help: "Polls started per device.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollsCompleted = new Counter({
      name: "watchfloor_polls_completed_total",
      help: "Polls that finished within the device's timeout (answered or refused), per device.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollOverruns = new Counter({
      name: "watchfloor_poll_overruns_total",
      help: "Scheduled polls skipped because the device's previous poll was still running at its next slot.",
      labelNames: ["device"],
      registers: [registry],
    });
    this.pollTimeouts = new Counter({
      name: "watchfloor_poll_timeouts_total",
      help: "Polls cut off by the device's timeout, per device.",
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
      help: "Events set aside in the outbox's rejected table; reason is malformed (refused with 400), too_large (413 alone, or larger than any batch) or collector_error (every collector kept answering 5xx to it alone while other events went through).",
      labelNames: ["reason"],
      registers: [registry],
    });
    for (const reason of SET_ASIDE_KINDS) this.eventsRejected.inc({ reason }, 0);
    this.unreadableReplies = new Counter({
      name: "watchfloor_outbox_unreadable_replies_total",
      help: "2xx answers to a batch whose body was not the collector's JSON reply (a proxy in between, say); the batch counted as delivered.",
      registers: [registry],
    });
    this.collectorFailovers = new Counter({
      name: "watchfloor_collector_failovers_total",
      help: "Times the agent moved to the next of its collectors (agent.collector.urls) because one did not take a batch.",
      registers: [registry],
    });
    this.collectorCurrent = new Gauge({
      name: "watchfloor_collector_current",
      help: "1 for the collector URL the agent delivers events to now, 0 for its other collectors.",
      labelNames: ["url"],
      registers: [registry],
    });
    this.deliveryFailures = new Counter({
      name: "watchfloor_event_delivery_failures_total",
      help: "Failed attempts to deliver a batch of events to the collector.",
      registers: [registry],
    });
  }

  /** Marks `current` as the collector in use among `urls`. */
  setCollector(urls: readonly string[], current: string): void {
    for (const url of urls) this.collectorCurrent.set({ url }, url === current ? 1 : 0);
  }

  /** `watchfloor_device_profile_info{device,profile}` = 1 for each profile applied to each device. */
  setProfiles(devices: readonly { id: string; profiles: readonly string[] }[]): void {
    for (const d of devices) this.setDeviceProfiles(d.id, d.profiles);
  }

  private setDeviceProfiles(device: string, profiles: readonly string[]): void {
    for (const p of this.applied.get(device) ?? []) this.profileInfo.remove({ device, profile: p });
    for (const p of profiles) this.profileInfo.set({ device, profile: p }, 1);
    this.applied.set(device, profiles);
  }

  /** A `profile: auto` device was probed again: counted by reason, its profile_info replaced. */
  reprobed(device: string, reason: string, profiles: readonly string[]): void {
    this.deviceReprobes.inc({ device, reason });
    this.setDeviceProfiles(device, profiles);
  }

  setReadings(device: string, readings: Reading[]): void {
    this.readings.set(device, readings);
  }
}
