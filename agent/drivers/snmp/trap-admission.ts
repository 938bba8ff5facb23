/**
 * Which datagrams the trap listener lets through to net-snmp at all. The listener faces the network:
 * a datagram from an address no configured device has is dropped unparsed (a spoofed trap must never
 * raise a condition, and parsing costs CPU); a device that floods is held to a per-source token bucket.
 * Pure, with the clock passed in.
 */

export interface TrapRateLimit {
  /** Sustained traps per second per source address. */
  perSecond: number;
  /** How many may arrive at once (a switch reporting a row of ports going down) before the rate applies. */
  burst: number;
}

export const DEFAULT_TRAP_RATE_LIMIT: TrapRateLimit = { perSecond: 20, burst: 200 };

/** One token bucket per key, full at first; the map never holds more than `maxKeys` buckets. */
export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: TrapRateLimit,
    private readonly now: () => number,
    private readonly maxKeys = 4096,
  ) {}

  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict(t);
      b = { tokens: this.limit.burst, at: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond);
      b.at = t;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Drops the buckets that have refilled (they hold nothing a new one would not), else the oldest. */
  private evict(t: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((t - b.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(k);
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * At most one log line per reason per interval: a flood of bad packets must not become a flood of
 * log lines (the counter has the totals). Says how many were not logged since the last line.
 */
export class LogThrottle {
  private last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** undefined: do not log; a number: log, mentioning that many suppressed since the last line. */
  pass(reason: string): number | undefined {
    const t = this.now();
    const s = this.last.get(reason);
    if (s && t - s.at < this.intervalMs) {
      s.suppressed += 1;
      return undefined;
    }
    this.last.set(reason, { at: t, suppressed: 0 });
    return s?.suppressed ?? 0;
  }
}

/** The address a datagram came from, IPv4-mapped IPv6 (an udp6 socket's view of IPv4) as plain IPv4. */
export function sourceAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
