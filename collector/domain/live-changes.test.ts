import { describe, expect, it } from "vitest";
import { type EngineChanges, mergeChanges, noChanges } from "./live-changes.ts";
import type { Fault } from "./types.ts";

/** A fault record reduced to what merging looks at (its id) and a marker telling versions apart. */
const fault = (id: string, version: number) => ({ id, title: `v${version}` }) as unknown as Fault;
const titles = (c: EngineChanges) => c.faults.map((f) => `${f.id}:${f.title}`);

describe("a batch's changes merged as one write", () => {
  it("keeps the last record of each fault at its first place, drops merged-away faults, appends log rows in order", () => {
    const first = { ...noChanges(1), faults: [fault("A", 1), fault("B", 1)], anchors: [["A", undefined]] } as EngineChanges;
    const second = {
      ...noChanges(2),
      faults: [fault("C", 1), fault("A", 2)],
      dropped: ["B"],
      aliases: [["B", "A"]],
      archived: ["X"],
    } as EngineChanges;
    const third = {
      ...noChanges(3),
      faults: [fault("B", 3)],
      aliases: [["B", undefined]],
      foldHorizon: 30,
    } as EngineChanges;

    let batch = noChanges(0);
    for (const c of [first, second, third]) batch = mergeChanges(batch, c);

    // A changed in place; B merged away (dropped), then re-created: it goes to the end.
    expect(titles(batch)).toEqual(["A:v2", "C:v1", "B:v3"]);
    expect(batch.dropped).toEqual(["B"]);
    expect(batch.aliases).toEqual([["B", undefined]]);
    expect(batch.anchors).toEqual([["A", undefined]]);
    expect(batch.archived).toEqual(["X"]);
    expect(batch.now).toBe(3);
    expect(batch.foldHorizon).toBe(30);
    expect(batch.full).toBeUndefined();
    // The calls' own records are left as they were.
    expect(titles(second)).toEqual(["C:v1", "A:v2"]);
  });

  it("folding 2,000 calls of a storm keeps one record per fault and every event in order", () => {
    const calls = Array.from({ length: 2000 }, (_, i) => ({
      ...noChanges(i),
      faults: [fault(`F${i % 50}`, i)],
      events: [{ key: "k", device: "d", condition: "c", labels: {}, record: { eventId: `e${i}`, at: i, state: "firing" as const } }],
    }));
    let batch = noChanges(0);
    for (const c of calls) batch = mergeChanges(batch, c);
    expect(batch.faults).toHaveLength(50);
    expect(batch.faults[0]!.title).toBe("v1950");
    expect(batch.events.map((e) => e.record.eventId).slice(-2)).toEqual(["e1998", "e1999"]);
  });
});
