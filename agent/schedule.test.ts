import { describe, expect, it } from "vitest";
import { fnv1a32, nextSlot, pollPhase } from "./schedule.ts";

describe("poll schedule", () => {
  it("hashes with FNV-1a 32 (the reference test vectors)", () => {
    // Vectors from the FNV reference (Fowler/Noll/Vo, draft-eastlake-fnv test suite).
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("spreads 500 devices of one interval evenly over the whole interval", () => {
    const interval = 30_000;
    const phases = Array.from({ length: 500 }, (_, i) => pollPhase(`dev-${i}`, interval));
    for (const p of phases) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(interval);
    }
    // Ten 3-second buckets: each holds about 50; a uniform spread keeps every one within 25..75.
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const p of phases) buckets[Math.floor(p / 3000)]!++;
    // The old scheme put all 500 within interval × jitter (3 s) of each other.
    for (const n of buckets) {
      expect(n).toBeGreaterThan(25);
      expect(n).toBeLessThan(75);
    }
  });

  it("keeps a device's phase across restarts (same id, same phase)", () => {
    expect(pollPhase("ups-1", 10_000)).toBe(pollPhase("ups-1", 10_000));
    expect(pollPhase("ups-1", 10_000)).not.toBe(pollPhase("ups-2", 10_000));
  });

  it("puts slots on the grid k × interval + phase, strictly after the given time", () => {
    expect(nextSlot(0, 1000, 250)).toBe(250);
    expect(nextSlot(250, 1000, 250)).toBe(1250);
    expect(nextSlot(1249, 1000, 250)).toBe(1250);
    expect(nextSlot(10_000_000_100, 30_000, 7_000)).toBe(10_000_027_000);
  });

  it("after serving a slot, the next is one interval on, even when the timer fired a millisecond early", () => {
    // The agent books from max(slot, now): from the clock alone an early timer would book the same slot.
    const slot = 1250;
    expect(nextSlot(slot - 1, 1000, 250)).toBe(slot); // the bug: booking from an early clock
    expect(nextSlot(Math.max(slot, slot - 1), 1000, 250)).toBe(2250);
    // A timer late by more than an interval (a stalled process) skips to the next slot still ahead.
    expect(nextSlot(Math.max(slot, slot + 1500), 1000, 250)).toBe(3250);
  });
});
