/**
 * Events that every collector answered 5xx to when sent alone (a collector bug on one event, say). A
 * collector that is down, a standby or overloaded answers 5xx to every batch, so one such failure
 * proves nothing about the event: it counts only once the next batch, without the event, was taken
 * (the collector was up, and it was this event it failed on). Meanwhile the event waits aside and the
 * events behind it flow; it is retried alone, and set aside for good once it failed `attempts` times
 * over at least `afterMs`. Times are passed in; nothing here reads the clock.
 */
export interface SetAsidePolicy {
  /** Proven failures (each followed by another batch being taken) before the event is set aside. */
  attempts: number;
  /** And at least this long between its first and its last proven failure. */
  afterMs: number;
}

/** Default of agent.outbox.setAside. */
export const DEFAULT_SET_ASIDE: SetAsidePolicy = { attempts: 5, afterMs: 5 * 60_000 };

interface Failing {
  /** Proven failures so far. */
  strikes: number;
  /** When its first proven failure happened. */
  firstAt: number | undefined;
  /** Not retried before this (it stays out of batches meanwhile). */
  retryAt: number;
  /** The collectors' last answer to it, for the rejected table. */
  reason: string;
}

/** What a batch taken after an event failed alone means for that event. */
export type Verdict =
  | { kind: "retry"; id: string; strikes: number; retryAt: number }
  | { kind: "set-aside"; id: string; strikes: number; reason: string };

export class FailingEvents {
  private events = new Map<string, Failing>();
  /** The event that just failed alone, and when: the next batch says whether that failure counts. */
  private pending: { id: string; at: number } | undefined;

  constructor(
    private policy: SetAsidePolicy,
    /** Wait before the retry after the nth proven failure (n from 1). */
    private retryDelayMs: (strikes: number) => number,
  ) {}

  /** Every collector answered 5xx to this event sent alone. The next batch is to be sent at once. */
  failedAlone(id: string, reason: string, at: number): void {
    const known = this.events.get(id);
    this.events.set(id, { strikes: 0, firstAt: undefined, ...known, retryAt: Number.POSITIVE_INFINITY, reason });
    this.pending = { id, at };
  }

  /** A batch without the pending event was taken: its failure counts. */
  batchTaken(now: number): Verdict | undefined {
    const p = this.pending;
    this.pending = undefined;
    const e = p && this.events.get(p.id);
    if (!p || !e) return undefined;
    e.strikes += 1;
    e.firstAt ??= p.at;
    if (e.strikes >= this.policy.attempts && p.at - e.firstAt >= this.policy.afterMs) {
      this.events.delete(p.id);
      return { kind: "set-aside", id: p.id, strikes: e.strikes, reason: e.reason };
    }
    e.retryAt = now + this.retryDelayMs(e.strikes);
    return { kind: "retry", id: p.id, strikes: e.strikes, retryAt: e.retryAt };
  }

  /**
   * The batch after the pending event failed too (or there was none to send): the collectors may be
   * down, so that failure does not count. An event with no proven failure goes back in line.
   */
  unproven(now: number): void {
    const p = this.pending;
    this.pending = undefined;
    const e = p && this.events.get(p.id);
    if (!p || !e) return;
    if (e.strikes === 0) this.events.delete(p.id);
    else e.retryAt = now;
  }

  /** An event waiting to be proven. */
  get awaitingProof(): boolean {
    return this.pending !== undefined;
  }

  /** An event whose retry is due (none while another awaits proof: one question at a time). */
  due(now: number): string | undefined {
    if (this.pending) return undefined;
    for (const [id, e] of this.events) if (e.retryAt <= now) return id;
    return undefined;
  }

  /** Events kept out of ordinary batches. */
  ids(): string[] {
    return [...this.events.keys()];
  }

  /** The earliest retry still to come, if any. */
  nextRetryAt(): number | undefined {
    let next: number | undefined;
    for (const e of this.events.values()) if (e.retryAt !== Number.POSITIVE_INFINITY) next = Math.min(next ?? e.retryAt, e.retryAt);
    return next;
  }

  /** The event left the outbox (delivered, or set aside for another reason). */
  forget(id: string): void {
    this.events.delete(id);
    if (this.pending?.id === id) this.pending = undefined;
  }
}
