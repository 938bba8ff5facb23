import type { Logger } from "pino";
import type { AgentEvent, ConditionEvent } from "../common/wire.ts";
import { type BatchClock, batchClock, boundEventTime, type EventTimeBounds, type TimeClamp } from "./event-time.ts";
import type { EngineBatch, FaultService } from "./fault-service.ts";
import type { CollectorMetrics } from "./metrics.ts";

/** At most one clock-offset warning per agent this often (an agent without NTP would log every batch). */
const OFFSET_WARNING_EVERY_MS = 10 * 60 * 1000;

/** Why an event's time is not the one it reported (the audit entry's `reason`). */
export type TimeCorrection = "clock_offset" | TimeClamp;

/**
 * The edge around event-time.ts: measures each batch's agent clock offset (gauge), bounds every event
 * and heartbeat time, counts and logs what it clamps, and writes an `event.time_corrected` audit entry
 * (on the fault the event belongs to) for every condition event whose time it changed, so the client
 * auditor sees why a fault's times differ from what the device said.
 */
export class EventTimeGuard {
  private warnedAt = new Map<string, number>();

  constructor(
    private deps: { bounds: EventTimeBounds; metrics: CollectorMetrics; faults: FaultService; logger: Logger },
  ) {}

  forBatch(agent: string, sentAt: string | undefined, receivedAt: number): BatchTimes {
    const clock = batchClock(sentAt === undefined ? undefined : Date.parse(sentAt), receivedAt, this.deps.bounds);
    if (clock.offsetMs !== undefined) this.deps.metrics.agentClockOffset.set({ agent }, clock.offsetMs / 1000);
    if (clock.shiftMs !== 0 && receivedAt - (this.warnedAt.get(agent) ?? Number.NEGATIVE_INFINITY) >= OFFSET_WARNING_EVERY_MS) {
      this.warnedAt.set(agent, receivedAt);
      this.deps.logger.warn(
        { agent, offsetSeconds: clock.shiftMs / 1000, toleranceSeconds: this.deps.bounds.skewToleranceMs / 1000 },
        "agent's clock is off: its event times are corrected by the offset (fix its time sync)",
      );
    }
    return new BatchTimes(agent, receivedAt, clock, this.deps);
  }
}

/** One batch's times. */
export class BatchTimes {
  private clamped: Record<TimeClamp, number> = { future: 0, too_old: 0 };
  private example: { id: string; reported: string } | undefined;

  constructor(
    private agent: string,
    private receivedAt: number,
    private clock: BatchClock,
    private deps: { bounds: EventTimeBounds; metrics: CollectorMetrics; faults: FaultService; logger: Logger },
  ) {}

  /** A heartbeat's time: corrected and bounded, so last_seen is never in the future. */
  heartbeatAt(event: Extract<AgentEvent, { type: "heartbeat" }>): number {
    const t = boundEventTime(Date.parse(event.at), this.receivedAt, this.clock, this.deps.bounds);
    if (t.clamp) this.count(t.clamp, event.id, event.at);
    return t.at;
  }

  /** A condition event's time, and why it differs from the reported one (undefined: it does not). */
  conditionAt(event: ConditionEvent): { at: number; correction?: TimeCorrection } {
    const reported = Date.parse(event.observedAt);
    const t = boundEventTime(reported, this.receivedAt, this.clock, this.deps.bounds);
    if (t.clamp === "too_old") {
      // A redelivery the engine holds, or an event older than what was archived for its key, is ignored
      // at its own time; moved to now it would open a fault again.
      const own = reported - this.clock.shiftMs;
      const { id: eventId, device, condition, labels, state } = event;
      if (this.deps.faults.ignores({ type: "condition", eventId, device, condition, labels, state, at: own })) return { at: own };
    }
    if (t.clamp) this.count(t.clamp, event.id, event.observedAt);
    if (t.at === reported) return { at: t.at };
    return { at: t.at, correction: t.clamp ?? "clock_offset" };
  }

  /** The audit entry for a condition event applied at a time other than the reported one. */
  note(batch: EngineBatch, event: ConditionEvent, at: number, correction: TimeCorrection): void {
    // The fault the event belongs to: the latest of its condition that had started by the time used.
    let fault: { id: string; start: number } | undefined;
    for (const f of this.deps.faults.conditionFaults(event.device, event.condition, event.labels)) {
      const start = Math.min(f.openedAt, f.firstObservedAt);
      if (start <= at && (!fault || start > fault.start)) fault = { id: f.id, start };
    }
    batch.note({
      at: this.receivedAt,
      actor: "collector",
      action: "event.time_corrected",
      ...(fault ? { faultId: fault.id } : {}),
      detail: {
        eventId: event.id,
        agent: this.agent,
        device: event.device,
        condition: event.condition,
        state: event.state,
        reportedAt: event.observedAt,
        appliedAt: at,
        receivedAt: this.receivedAt,
        reason: correction,
        ...(this.clock.offsetMs !== undefined ? { clockOffsetSeconds: this.clock.offsetMs / 1000 } : {}),
      },
    });
  }

  /** Counts the batch's clamps (metric) and logs them, one line for the batch. */
  finish(): void {
    const { future, too_old } = this.clamped;
    if (future + too_old === 0) return;
    if (future > 0) this.deps.metrics.eventsTimeClamped.inc({ reason: "future" }, future);
    if (too_old > 0) this.deps.metrics.eventsTimeClamped.inc({ reason: "too_old" }, too_old);
    this.deps.logger.warn(
      {
        agent: this.agent,
        future,
        tooOld: too_old,
        example: this.example,
        receivedAt: new Date(this.receivedAt).toISOString(),
        ...(this.clock.offsetMs !== undefined ? { clockOffsetSeconds: this.clock.offsetMs / 1000 } : {}),
      },
      "event times out of bounds were taken as the receive time",
    );
  }

  private count(clamp: TimeClamp, id: string, reported: string): void {
    this.clamped[clamp] += 1;
    this.example ??= { id, reported };
  }
}
