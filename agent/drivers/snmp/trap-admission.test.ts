import { describe, expect, it } from "vitest";
import { LogThrottle, sourceAddress, TokenBuckets } from "./trap-admission.ts";

describe("trap admission", () => {
  it("a token bucket lets a burst through, then the sustained rate", () => {
    let t = 0;
    const b = new TokenBuckets({ perSecond: 2, burst: 3 }, () => t);
    expect([1, 2, 3, 4].map(() => b.take("10.0.0.1"))).toEqual([true, true, true, false]);
    // Another source has its own bucket.
    expect(b.take("10.0.0.2")).toBe(true);
    t = 499;
    expect(b.take("10.0.0.1")).toBe(false); // 0.998 tokens
    t = 500;
    expect(b.take("10.0.0.1")).toBe(true); // one token per 500 ms at 2/s
    expect(b.take("10.0.0.1")).toBe(false);
    // Refills to the burst, never above it.
    t = 60_000;
    expect([1, 2, 3, 4].map(() => b.take("10.0.0.1"))).toEqual([true, true, true, false]);
  });

  it("holds at most maxKeys buckets, dropping full ones first", () => {
    let t = 0;
    const b = new TokenBuckets({ perSecond: 1, burst: 2 }, () => t, 3);
    for (const k of ["a", "b", "c"]) b.take(k);
    b.take("a");
    b.take("a"); // a is empty
    t = 1000; // b and c have refilled (1 + 1 ≥ 2); a has 1
    expect(b.take("d")).toBe(true);
    expect(b.size).toBe(2); // a and d
    expect(b.take("a")).toBe(true);
    expect(b.take("a")).toBe(false);
    for (const k of ["e", "f", "g", "h"]) b.take(k);
    expect(b.size).toBeLessThanOrEqual(3);
  });

  it("logs the first line per reason per interval and counts what it held back", () => {
    let t = 0;
    const l = new LogThrottle(10_000, () => t);
    expect(l.pass("unknown_source")).toBe(0);
    expect(l.pass("unknown_source")).toBeUndefined();
    expect(l.pass("rate_limited")).toBe(0);
    expect(l.pass("unknown_source")).toBeUndefined();
    t = 10_000;
    expect(l.pass("unknown_source")).toBe(2);
  });

  it("reads IPv4-mapped IPv6 sources as IPv4", () => {
    expect(sourceAddress("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(sourceAddress("192.0.2.7")).toBe("192.0.2.7");
    expect(sourceAddress("2001:db8::1")).toBe("2001:db8::1");
  });
});
