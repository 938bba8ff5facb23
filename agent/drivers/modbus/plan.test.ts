import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  planCost,
  planRequests,
  planSingleReads,
  type RegisterSpan,
  serialCost,
  TCP_COST,
  type WireCost,
} from "./plan.ts";
import type { Table } from "./source.ts";

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

describe("least-wire-time plan (no maxGap: the transport's cost model decides)", () => {
  const rtu = serialCost(9600); // one character = 10 bits at 9600 baud
  const char = 10 / 9600;
  const two = (gap: number): RegisterSpan[] => [
    { table: "holding", address: 0, count: 1 },
    { table: "holding", address: 1 + gap, count: 1 },
  ];

  it("RS-485 9600 8N1: a request is 20 character times plus 2 per register (RECIPES.md's frame sizes)", () => {
    expect(planCost([{ table: "holding", address: 0, count: 10, spans: [] }], rtu) / char).toBeCloseTo(40, 9);
  });

  it.each([
    // Joining two one-register values across a hole of g registers costs 2g characters and saves a
    // 20-character request: read through holes narrower than 10 registers, split wider ones.
    [9, 1],
    [11, 2],
    [16, 2],
  ])("RTU: a hole of %i registers gives %i request(s)", (gap, n) => {
    expect(planRequests(two(gap), { maxRegisters: 125, cost: rtu })).toHaveLength(n);
  });

  it("TCP: the round trip dominates, so holes are read through up to the register limit", () => {
    expect(planRequests(two(100), { maxRegisters: 125, cost: TCP_COST })).toHaveLength(1);
    expect(planRequests(two(124), { maxRegisters: 125, cost: TCP_COST })).toHaveLength(2);
  });

  it("every span is served by exactly one request that contains it", () => {
    fc.assert(
      fc.property(arbSpans, fc.boolean(), (spans, serial) => {
        const reqs = planRequests(spans, { maxRegisters: 20, cost: serial ? rtu : TCP_COST });
        const served = reqs.flatMap((r) => r.spans).sort((a, b) => a - b);
        expect(served).toEqual(spans.map((_, i) => i));
        for (const r of reqs)
          for (const i of r.spans) {
            const s = spans[i]!;
            expect(s.table).toBe(r.table);
            expect(s.address).toBeGreaterThanOrEqual(r.address);
            expect(s.address + s.count).toBeLessThanOrEqual(r.address + r.count);
          }
      }),
    );
  });

  it("its wire time equals the minimum over every way of cutting the sorted spans (brute force)", () => {
    fc.assert(
      fc.property(arbSpans, fc.boolean(), (spans, serial) => {
        const cost = serial ? rtu : TCP_COST;
        const got = planCost(planRequests(spans, { maxRegisters: 20, cost }), cost);
        expect(got).toBeCloseTo(bruteForce(spans, 20, cost), 9);
      }),
    );
  });
});

const arbSpans = fc.array(
  fc.record({
    table: fc.constantFrom<Table>("holding", "input"),
    address: fc.integer({ min: 0, max: 60 }),
    count: fc.integer({ min: 1, max: 4 }),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Tries every partition of each table's address-sorted spans into consecutive groups. */
function bruteForce(spans: RegisterSpan[], max: number, cost: WireCost): number {
  let total = 0;
  for (const table of ["holding", "input"] as Table[]) {
    const items = spans
      .filter((s) => s.table === table)
      .sort((a, b) => a.address - b.address || a.count - b.count);
    if (items.length === 0) continue;
    let best = Number.POSITIVE_INFINITY;
    for (let mask = 0; mask < 1 << (items.length - 1); mask++) {
      let t = 0;
      let ok = true;
      let start = 0;
      for (let i = 1; i <= items.length; i++) {
        if (i < items.length && !(mask & (1 << (i - 1)))) continue;
        const group = items.slice(start, i);
        const width = Math.max(...group.map((g) => g.address + g.count)) - group[0]!.address;
        if (width > max && group.length > 1) ok = false;
        t += cost.perRequest + width * cost.perRegister;
        start = i;
      }
      if (ok) best = Math.min(best, t);
    }
    total += best;
  }
  return total;
}
