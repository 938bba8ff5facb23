/**
 * Bounds on the times agents report, applied at ingest before an event reaches the engine (which
 * trusts the device-side time it is given: docs/fault-engine.md). Pure: the receive time is passed in.
 *
 * An agent stamps each batch with its send time (`sentAt`, agent clock). The batch's clock offset is
 * sentAt minus the collector's receive time; past the tolerance the agent's clock is wrong (an NTP step,
 * a VM resumed, an RTC reset to 1970), and every time in the batch is moved back by the offset, so the
 * events keep their real spacing. An event held in the outbox during a collector outage has a correct
 * sentAt and is left alone. After that, a safety net for agents that send no sentAt (older agents) and
 * for what the offset cannot explain: a time later than the receive time plus the tolerance, or older
 * than the longest an event may wait, is taken as the receive time.
 */

export interface EventTimeBounds {
  /** collector.ingest.clockSkewSeconds, in ms: the agent clock offset (and the future) tolerated. */
  skewToleranceMs: number;
  /** collector.ingest.maxEventAgeSeconds, in ms: the oldest an event may be when it arrives. */
  maxAgeMs: number;
}

/** The agent's clock as one batch shows it. */
export interface BatchClock {
  /** sentAt − receive time; undefined when the batch carries no sentAt (an older agent). */
  offsetMs?: number;
  /** What every time of the batch is moved back by: the offset when it exceeds the tolerance, else 0. */
  shiftMs: number;
}

export type TimeClamp = "future" | "too_old";

export interface BoundedTime {
  /** The time to use. */
  at: number;
  /** Why it is not the reported time moved by the batch's shift (the shift alone needs no reason). */
  clamp?: TimeClamp;
}

export function batchClock(sentAt: number | undefined, receivedAt: number, bounds: EventTimeBounds): BatchClock {
  if (sentAt === undefined) return { shiftMs: 0 };
  const offsetMs = sentAt - receivedAt;
  return { offsetMs, shiftMs: Math.abs(offsetMs) > bounds.skewToleranceMs ? offsetMs : 0 };
}

/**
 * A reported event time corrected by the batch's shift, then bounded: never later than receivedAt +
 * the tolerance, never older than receivedAt − maxAge (either way it becomes receivedAt).
 */
export function boundEventTime(reported: number, receivedAt: number, clock: BatchClock, bounds: EventTimeBounds): BoundedTime {
  const at = reported - clock.shiftMs;
  if (at > receivedAt + bounds.skewToleranceMs) return { at: receivedAt, clamp: "future" };
  if (at < receivedAt - bounds.maxAgeMs) return { at: receivedAt, clamp: "too_old" };
  return { at };
}
