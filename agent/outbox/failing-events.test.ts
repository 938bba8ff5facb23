import { describe, expect, it } from "vitest";
import { FailingEvents } from "./failing-events.ts";

/**
 * The rule, in the product's words: a failure of an event sent alone counts only when the very next
 * batch was taken (the collector was up); the event is set aside after `attempts` such failures over at
 * least `afterMs`, and not before. Times are plain numbers (ms); the retry delay doubles from 100.
 */
const events = (attempts: number, afterMs: number) =>
  new FailingEvents({ attempts, afterMs }, (strikes) => 100 * 2 ** (strikes - 1));

describe("events every collector fails on when sent alone", () => {
  it("a collector that fails everything (the batch after the event fails too) never counts a failure", () => {
    const f = events(1, 0);
    for (let t = 0; t < 50; t += 2) {
      f.failedAlone("e1", "500", t);
      f.unproven(t + 1);
      expect(f.ids()).toEqual([]); // back in line, nothing counted
    }
  });

  it("attempts 3, after 0: set aside at the third proven failure, retried in between after 100, then 200 ms", () => {
    const f = events(3, 0);
    f.failedAlone("e1", "500 one", 0);
    expect(f.ids()).toEqual(["e1"]);
    expect(f.due(0)).toBeUndefined(); // awaiting the next batch's outcome
    expect(f.batchTaken(5)).toEqual({ kind: "retry", id: "e1", strikes: 1, retryAt: 105 });
    expect(f.due(104)).toBeUndefined();
    expect(f.due(105)).toBe("e1");
    f.failedAlone("e1", "500 two", 105);
    expect(f.batchTaken(110)).toEqual({ kind: "retry", id: "e1", strikes: 2, retryAt: 310 });
    f.failedAlone("e1", "500 three", 310);
    expect(f.batchTaken(311)).toEqual({ kind: "set-aside", id: "e1", strikes: 3, reason: "500 three" });
    expect(f.ids()).toEqual([]);
  });

  it("attempts 2, after 60 s: two quick failures are not enough; the first failure at or past 60 s after the first is", () => {
    const f = events(2, 60_000);
    f.failedAlone("e1", "500", 1000);
    f.batchTaken(1001);
    let t = 1101;
    let strikes = 1;
    for (;;) {
      expect(f.due(t)).toBe("e1");
      f.failedAlone("e1", "500", t);
      const v = f.batchTaken(t + 1)!;
      strikes += 1;
      if (v.kind === "set-aside") break;
      expect(t - 1000).toBeLessThan(60_000);
      t = v.retryAt;
    }
    expect(t - 1000).toBeGreaterThanOrEqual(60_000);
    expect(strikes).toBeGreaterThan(2);
  });

  it("an unproven failure after proven ones neither counts nor forgets: the event is retried at once", () => {
    const f = events(2, 0);
    f.failedAlone("e1", "500", 0);
    f.batchTaken(1);
    f.failedAlone("e1", "503", 101);
    f.unproven(102);
    expect(f.due(102)).toBe("e1");
    f.failedAlone("e1", "500", 102);
    expect(f.batchTaken(103)?.kind).toBe("set-aside");
  });

  it("one question at a time: no retry is due while another event awaits proof; a delivered event is forgotten", () => {
    const f = events(5, 0);
    f.failedAlone("e1", "500", 0);
    f.batchTaken(1);
    f.failedAlone("e2", "500", 200);
    expect(f.due(1000)).toBeUndefined();
    expect(f.nextRetryAt()).toBe(101);
    f.forget("e2");
    expect(f.awaitingProof).toBe(false);
    expect(f.due(1000)).toBe("e1");
    f.forget("e1");
    expect(f.ids()).toEqual([]);
    expect(f.nextRetryAt()).toBeUndefined();
  });
});
