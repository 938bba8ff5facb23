import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchClock, boundEventTime, type EventTimeBounds } from "./event-time.ts";

// The defaults (collector.ingest): 60 s of clock skew, 30 days of age.
const bounds: EventTimeBounds = { skewToleranceMs: 60_000, maxAgeMs: 30 * 86_400_000 };
const received = Date.parse("2026-12-01T10:00:00+08:00");
const at = (iso: string) => Date.parse(iso);

describe("event times at ingest: the agent's clock offset is corrected, then every time is bounded", () => {
  it("a batch without sentAt (an older agent) is not shifted", () => {
    expect(batchClock(undefined, received, bounds)).toEqual({ shiftMs: 0 });
  });

  it("an offset within the tolerance (60 s, either way) is measured but corrects nothing", () => {
    expect(batchClock(received + 60_000, received, bounds)).toEqual({ offsetMs: 60_000, shiftMs: 0 });
    expect(batchClock(received - 60_000, received, bounds)).toEqual({ offsetMs: -60_000, shiftMs: 0 });
    expect(batchClock(received + 60_001, received, bounds)).toEqual({ offsetMs: 60_001, shiftMs: 60_001 });
  });

  it("an agent whose clock jumped to 2099 keeps its events' real spacing", () => {
    // Agent clock 2099-01-01T00:00:30+08:00 at send; it saw the condition 20 s and the clear 5 s before.
    const clock = batchClock(at("2099-01-01T00:00:30+08:00"), received, bounds);
    expect(boundEventTime(at("2099-01-01T00:00:10+08:00"), received, clock, bounds)).toEqual({ at: received - 20_000 });
    expect(boundEventTime(at("2099-01-01T00:00:25+08:00"), received, clock, bounds)).toEqual({ at: received - 5_000 });
  });

  it("an agent whose clock reset to the epoch (dead RTC battery) keeps its events' real times", () => {
    const clock = batchClock(at("1970-01-01T00:10:00Z"), received, bounds);
    expect(boundEventTime(at("1970-01-01T00:09:00Z"), received, clock, bounds)).toEqual({ at: received - 60_000 });
  });

  it("without sentAt a 2099 time is taken as the receive time (future), a 1970 one too (too_old)", () => {
    const none = batchClock(undefined, received, bounds);
    expect(boundEventTime(at("2099-01-01T00:00:00+08:00"), received, none, bounds)).toEqual({ at: received, clamp: "future" });
    expect(boundEventTime(at("1970-01-01T00:00:00Z"), received, none, bounds)).toEqual({ at: received, clamp: "too_old" });
    expect(boundEventTime(at("2026-01-05T09:00:00+08:00"), received, none, bounds)).toEqual({ at: received, clamp: "too_old" });
  });

  it("the edges: receive time + 60 s and 30 days back are kept, one ms past either is clamped", () => {
    const none = batchClock(undefined, received, bounds);
    expect(boundEventTime(received + 60_000, received, none, bounds)).toEqual({ at: received + 60_000 });
    expect(boundEventTime(received + 60_001, received, none, bounds).clamp).toBe("future");
    expect(boundEventTime(at("2026-11-01T10:00:00+08:00"), received, none, bounds)).toEqual({ at: at("2026-11-01T10:00:00+08:00") });
    expect(boundEventTime(at("2026-11-01T09:59:59.999+08:00"), received, none, bounds).clamp).toBe("too_old");
  });

  it("an event held hours in the outbox during a collector outage, sent with a correct clock, is untouched", () => {
    const clock = batchClock(received - 150, received, bounds);
    const sixHoursAgo = received - 6 * 3_600_000;
    expect(boundEventTime(sixHoursAgo, received, clock, bounds)).toEqual({ at: sixHoursAgo });
  });

  const instant = fc.integer({ min: 0, max: 4_102_444_800_000 }); // 1970 … 2100
  const anyBounds = fc.record({
    skewToleranceMs: fc.integer({ min: 0, max: 3_600_000 }),
    maxAgeMs: fc.integer({ min: 3_600_001, max: 400 * 86_400_000 }),
  });

  it("property: a corrected time never exceeds receive time + tolerance, nor is older than the max age", () => {
    fc.assert(
      fc.property(instant, instant, fc.option(instant, { nil: undefined }), anyBounds, (reported, recv, sent, b) => {
        const t = boundEventTime(reported, recv, batchClock(sent, recv, b), b);
        expect(t.at).toBeLessThanOrEqual(recv + b.skewToleranceMs);
        expect(t.at).toBeGreaterThanOrEqual(recv - b.maxAgeMs);
        if (t.clamp) expect(t.at).toBe(recv);
      }),
    );
  });

  it("property: a batch within the tolerance whose times are within bounds is unchanged", () => {
    fc.assert(
      fc.property(anyBounds, instant, fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (b, recv, skew, age) => {
        const sent = recv + Math.round(skew * b.skewToleranceMs);
        // Anywhere from max age back to tolerance ahead.
        const reported = age >= 0 ? recv + Math.floor(age * b.skewToleranceMs) : recv + Math.ceil(age * b.maxAgeMs);
        const clock = batchClock(sent, recv, b);
        expect(clock.shiftMs).toBe(0);
        expect(boundEventTime(reported, recv, clock, b)).toEqual({ at: reported });
      }),
    );
  });

  it("property: past the tolerance, the events of a batch keep their spacing unless clamped", () => {
    fc.assert(
      fc.property(anyBounds, instant, fc.integer({ min: -2e12, max: 2e12 }), fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 2, maxLength: 10 }), (b, recv, offset, agesBeforeSend) => {
        fc.pre(Math.abs(offset) > b.skewToleranceMs);
        const clock = batchClock(recv + offset, recv, b);
        const times = agesBeforeSend.map((age) => boundEventTime(recv + offset - age, recv, clock, b));
        for (const [i, t] of times.entries()) if (!t.clamp) expect(t.at).toBe(recv - agesBeforeSend[i]!);
      }),
    );
  });
});
