import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Debounce } from "../profiles/schema.ts";
import { type ConditionTrack, debounceStep, initialTrack } from "./debounce.ts";

const polls = (n: number) => ({ polls: n });

function run(
  observations: Array<boolean | undefined>,
  rules: { fireAfter: Debounce; clearAfter: Debounce } = { fireAfter: polls(1), clearAfter: polls(1) },
  stepMs = 1000,
) {
  let track: ConditionTrack = initialTrack;
  const changes: Array<{ state: string; observedAt: number; at: number }> = [];
  observations.forEach((o, i) => {
    const step = debounceStep(track, o, i * stepMs, rules);
    track = step.track;
    if (step.change) changes.push({ ...step.change, at: i * stepMs });
  });
  return { track, changes };
}

describe("condition debounce", () => {
  it("fires on the first poll by default, observed at that poll", () => {
    expect(run([false, true]).changes).toEqual([{ state: "firing", observedAt: 1000, at: 1000 }]);
  });

  it("fires after N consecutive polls, dated at the first of them (the fault opens when first observed)", () => {
    const { changes } = run([false, true, true, true], { fireAfter: polls(3), clearAfter: polls(1) });
    expect(changes).toEqual([{ state: "firing", observedAt: 1000, at: 3000 }]);
  });

  it("a blip shorter than the debounce fires nothing", () => {
    expect(run([true, true, false, true, true, false], { fireAfter: polls(3), clearAfter: polls(1) }).changes).toEqual([]);
  });

  it("fires after a duration", () => {
    const { changes } = run([true, true, true, true], { fireAfter: { duration: 2.5 }, clearAfter: polls(1) });
    expect(changes).toEqual([{ state: "firing", observedAt: 0, at: 3000 }]);
  });

  it("clears likewise, after N polls", () => {
    const { changes } = run([true, false, false], { fireAfter: polls(1), clearAfter: polls(2) });
    expect(changes.map((c) => [c.state, c.observedAt, c.at])).toEqual([
      ["firing", 0, 0],
      ["clear", 1000, 2000],
    ]);
  });

  it("an unknown (reading missing) keeps the state and resets a pending change", () => {
    expect(run([true, true, undefined, true], { fireAfter: polls(3), clearAfter: polls(1) }).changes).toEqual([]);
  });

  it("property: changes alternate firing/clear and each is confirmed at or after it was observed", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.boolean(), { nil: undefined }), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (obs, f, c) => {
        const { changes, track } = run(obs, { fireAfter: polls(f), clearAfter: polls(c) });
        changes.forEach((ch, i) => {
          expect(ch.state).toBe(i % 2 === 0 ? "firing" : "clear");
          expect(ch.observedAt).toBeLessThanOrEqual(ch.at);
        });
        expect(track.state).toBe(changes.length % 2 === 1 ? "firing" : "clear");
      }),
    );
  });
});
