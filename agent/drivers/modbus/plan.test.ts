import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRequests, planSingleReads, type RegisterSpan } from "./plan.ts";

const h = (address: number, count = 1): RegisterSpan => ({ table: "holding", address, count });
const limits = { maxRegisters: 125, maxGap: 0 };
type Req = [string, number, number, number[]];

const cases: [string, RegisterSpan[], { maxRegisters: number; maxGap: number; maxBits?: number }, Req[]][] = [
  ["nothing to read", [], limits, []],
  ["contiguous values share one read", [h(0), h(1), h(2, 2)], limits, [["holding", 0, 4, [0, 1, 2]]]],
  [
    "a hole splits without a gap allowance",
    [h(0), h(2)],
    limits,
    [
      ["holding", 0, 1, [0]],
      ["holding", 2, 1, [1]],
    ],
  ],
  [
    "a hole within maxGap is read through",
    [h(0), h(2)],
    { maxRegisters: 125, maxGap: 1 },
    [["holding", 0, 3, [0, 1]]],
  ],
  [
    "a hole wider than maxGap splits",
    [h(0), h(3)],
    { maxRegisters: 125, maxGap: 1 },
    [
      ["holding", 0, 1, [0]],
      ["holding", 3, 1, [1]],
    ],
  ],
  [
    "126 registers need two reads",
    Array.from({ length: 126 }, (_, i) => h(i)),
    limits,
    [
      ["holding", 0, 125, Array.from({ length: 125 }, (_, i) => i)],
      ["holding", 125, 1, [125]],
    ],
  ],
  [
    "a 32-bit value never straddles the limit",
    [h(0), h(1, 2)],
    { maxRegisters: 2, maxGap: 0 },
    [
      ["holding", 0, 1, [0]],
      ["holding", 1, 2, [1]],
    ],
  ],
  [
    "overlapping and duplicate sources share",
    [h(10, 2), h(11), h(10, 2)],
    limits,
    [["holding", 10, 2, [0, 2, 1]]],
  ],
  ["unsorted input, indexes kept", [h(5), h(4), h(3)], limits, [["holding", 3, 3, [2, 1, 0]]]],
  [
    "tables never mix; coils, discrete, holding, input order",
    [
      { table: "input", address: 0, count: 1 },
      h(0),
      { table: "coil", address: 0, count: 1 },
      { table: "discrete", address: 0, count: 1 },
    ],
    limits,
    [
      ["coil", 0, 1, [2]],
      ["discrete", 0, 1, [3]],
      ["holding", 0, 1, [1]],
      ["input", 0, 1, [0]],
    ],
  ],
  [
    "bits use maxBits, not maxRegisters",
    [
      { table: "discrete", address: 0, count: 1 },
      { table: "discrete", address: 200, count: 1 },
    ],
    { maxRegisters: 125, maxGap: 199, maxBits: 2000 },
    [["discrete", 0, 201, [0, 1]]],
  ],
  [
    "bits past maxBits split",
    [
      { table: "coil", address: 0, count: 1 },
      { table: "coil", address: 8, count: 1 },
    ],
    { maxRegisters: 125, maxGap: 10, maxBits: 8 },
    [
      ["coil", 0, 1, [0]],
      ["coil", 8, 1, [1]],
    ],
  ],
  [
    "maxRegisters 1 reads one by one",
    [h(0), h(1)],
    { maxRegisters: 1, maxGap: 0 },
    [
      ["holding", 0, 1, [0]],
      ["holding", 1, 1, [1]],
    ],
  ],
];

describe("planRequests", () => {
  it.each(cases)("%s", (_name, spans, lim, expected) => {
    expect(planRequests(spans, lim).map((r) => [r.table, r.address, r.count, r.spans])).toEqual(expected);
  });

  it("every span lies inside its request; no request exceeds the limit; each span served once", () => {
    const span = fc.record({
      table: fc.constantFrom("holding" as const, "input" as const),
      address: fc.integer({ min: 0, max: 300 }),
      count: fc.constantFrom(1, 2, 4),
    });
    fc.assert(
      fc.property(
        fc.array(span, { maxLength: 60 }),
        fc.integer({ min: 4, max: 125 }),
        fc.integer({ min: 0, max: 10 }),
        (spans, max, gap) => {
          const reqs = planRequests(spans, { maxRegisters: max, maxGap: gap });
          const served = reqs.flatMap((r) => r.spans).sort((a, b) => a - b);
          expect(served).toEqual(spans.map((_, i) => i));
          for (const r of reqs) {
            expect(r.count).toBeLessThanOrEqual(max);
            for (const i of r.spans) {
              const s = spans[i]!;
              expect(s.table).toBe(r.table);
              expect(s.address).toBeGreaterThanOrEqual(r.address);
              expect(s.address + s.count).toBeLessThanOrEqual(r.address + r.count);
            }
          }
        },
      ),
    );
  });
});

describe("planSingleReads", () => {
  it("one read per distinct span, duplicates share", () => {
    expect(planSingleReads([h(0, 2), h(1), h(0, 2)]).map((r) => [r.address, r.count, r.spans])).toEqual([
      [0, 2, [0, 2]],
      [1, 1, [1]],
    ]);
  });
});
