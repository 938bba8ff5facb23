import { Counter, Gauge, type Registry } from "prom-client";
import type { Policy } from "./domain/index.ts";
import { evaluate, FAULT_CLASSES, parsePeriod, quarterOf } from "./domain/index.ts";
import type { FaultService } from "./fault-service.ts";
import type { CollectorStore } from "./store/store.ts";

/** Hex digits of the head hash the info metric carries (enough for --expect-head). */
export const AUDIT_HEAD_SHORT = 16;

/**
 * The collector's /metrics. Fault gauges are computed at scrape time from the engine's state, so they
 * can never drift from what the API says.
 */
export class CollectorMetrics {
  readonly eventsReceived: Counter<"type">;
  readonly eventsDuplicate: Counter;
  readonly breaches: Counter<"class" | "deadline">;
  readonly archiveFailures: Counter<"reason">;
  readonly agentClockOffset: Gauge<"agent">;
  readonly eventsTimeClamped: Counter<"reason">;

  constructor(registry: Registry, deps: { faults: () => FaultService; store: CollectorStore; now: () => number; policy: Policy }) {
    this.eventsReceived = new Counter({
      name: "watchfloor_events_received_total",
      help: "Agent events accepted (first delivery), by type.",
      labelNames: ["type"],
      registers: [registry],
    });
    this.eventsDuplicate = new Counter({
      name: "watchfloor_events_duplicate_total",
      help: "Agent events delivered again and ignored (already applied).",
      registers: [registry],
    });
    this.agentClockOffset = new Gauge({
      name: "watchfloor_agent_clock_offset_seconds",
      help: "The agent's clock minus the collector's, from its last batch's sentAt (past collector.ingest.clockSkewSeconds its event times are corrected).",
      labelNames: ["agent"],
      registers: [registry],
    });
    this.eventsTimeClamped = new Counter({
      name: "watchfloor_events_time_clamped_total",
      help: "Event and heartbeat times taken as the receive time: reason future (later than receive time + clockSkewSeconds) or too_old (older than maxEventAgeSeconds).",
      labelNames: ["reason"],
      registers: [registry],
    });
    for (const reason of ["future", "too_old"]) this.eventsTimeClamped.inc({ reason }, 0);
    this.archiveFailures = new Counter({
      name: "watchfloor_store_archive_failures_total",
      help: "Archive steps that did not happen: reason check (re-deriving would change a fault) or store (the write failed).",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.breaches = new Counter({
      name: "watchfloor_fault_breaches_total",
      help: "SLA deadlines breached, counted at the instant each passed.",
      labelNames: ["class", "deadline"],
      registers: [registry],
    });
    // Every series starts at 0, so the first breach of a class is an increase Prometheus can see
    // (increase() over a series that appears already at 1 is 0, and the alert would never fire).
    for (const cls of FAULT_CLASSES)
      for (const [kind, limit] of Object.entries(deps.policy.deadlines[cls]))
        if (limit !== null) this.breaches.inc({ class: cls, deadline: kind }, 0);
    // The audit trail's length and head, for Prometheus to keep outside the store: a trail cut back
    // (entries and head row deleted together) shows as a counter reset and a head never seen before.
    const auditEntries = new Counter({
      name: "watchfloor_audit_entries_total",
      help: "Entries in the audit trail (the seq of its head).",
      registers: [registry],
      collect: async () => {
        const head = await deps.store.auditHead();
        auditEntries.reset();
        auditEntries.inc(head?.seq ?? 0);
      },
    });
    const auditHead = new Gauge({
      name: "watchfloor_audit_head_info",
      help: "Always 1; head is the first 16 hex digits of the audit trail's head hash (one series).",
      labelNames: ["head"],
      registers: [registry],
      collect: async () => {
        const head = await deps.store.auditHead();
        auditHead.reset();
        auditHead.set({ head: head?.hash.slice(0, AUDIT_HEAD_SHORT) ?? "empty" }, 1);
      },
    });
    const openFaults = new Gauge({
      name: "watchfloor_faults_open",
      help: "Faults not yet resolved, by class (重大 major / 严重 severe / 一般 general); folded children excluded.",
      labelNames: ["class"],
      registers: [registry],
      collect: () => {
        const counts = Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0]));
        for (const f of deps.faults().liveFaults())
          if (f.status === "open" || f.status === "acknowledged") counts[f.class] = (counts[f.class] ?? 0) + 1;
        for (const [cls, n] of Object.entries(counts)) openFaults.set({ class: cls }, n);
      },
    });
    const secondsLeft = new Gauge({
      name: "watchfloor_fault_deadline_seconds_left",
      help: "Seconds left to each pending deadline of each open fault (negative once breached and still open).",
      labelNames: ["fault", "class", "deadline", "device"],
      registers: [registry],
      collect: () => {
        secondsLeft.reset();
        const now = deps.now();
        for (const f of deps.faults().liveFaults()) {
          if (f.status !== "open" && f.status !== "acknowledged") continue;
          for (const d of evaluate(f, now, deps.policy).deadlines)
            if (d.status !== "met")
              secondsLeft.set({ fault: f.id, class: f.class, deadline: d.kind, device: f.device }, Math.floor((d.due - now) / 1000));
        }
      },
    });
    const timeliness = new Gauge({
      name: "watchfloor_kpi_timeliness_ratio",
      help: "故障处理及时率 of the current quarter (Asia/Shanghai): met / (met + breached); target 1.",
      registers: [registry],
      collect: async () => {
        const now = deps.now();
        const period = parsePeriod(quarterOf(now, deps.policy.timezone), deps.policy.timezone);
        // The quarter's archived faults are tallied once (FaultService.kpi), not read on every scrape.
        if ("start" in period) timeliness.set((await deps.faults().kpi(period, now)).timeliness);
      },
    });
    const agentUp = new Gauge({
      name: "watchfloor_agent_up",
      help: "1 while the agent sends heartbeats, 0 after three missed.",
      labelNames: ["agent"],
      registers: [registry],
      collect: async () => {
        for (const a of await deps.store.agents()) agentUp.set({ agent: a.id }, a.down ? 0 : 1);
      },
    });
  }
}
