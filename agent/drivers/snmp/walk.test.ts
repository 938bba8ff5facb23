import { describe, expect, it } from "vitest";
import { compareOids } from "./oid.ts";
import { BulkError, type WalkVarbind, walkColumns } from "./walk.ts";

/** A fake device: a sorted MIB; GetBulk answers the successors of each OID, like an agent does. */
function device(mib: string[], opts: { tooBigOver?: number; dropOver?: number; capVarbinds?: number } = {}) {
  const sorted = [...mib].sort(compareOids);
  const asked: { oids: string[]; reps: number }[] = [];
  const fetch = async (oids: string[], reps: number): Promise<WalkVarbind[][]> => {
    asked.push({ oids, reps });
    if (opts.tooBigOver !== undefined && oids.length * reps > opts.tooBigOver)
      throw new BulkError("tooBig", "tooBig");
    if (opts.dropOver !== undefined && oids.length * reps > opts.dropOver)
      throw new BulkError("timeout", "no answer");
    const lists = oids.map((from) => {
      const next = sorted.filter((o) => compareOids(o, from) > 0).slice(0, reps);
      return next.length < reps
        ? [...next.map((oid) => ({ oid })), { oid: from, end: true }]
        : next.map((oid) => ({ oid }));
    });
    if (opts.capVarbinds === undefined) return lists;
    // A reply cut to its first capVarbinds varbinds, in the wire's order (repetition by repetition, OID
    // by OID), then split per OID as the client does: the last OIDs may get nothing at all.
    const cut = lists.map(() => [] as WalkVarbind[]);
    let left = opts.capVarbinds;
    for (let r = 0; r < reps && left > 0; r++)
      for (let i = 0; i < lists.length && left > 0; i++) {
        const vb = lists[i]![r];
        if (vb) {
          cut[i]!.push(vb);
          left -= 1;
        }
      }
    return cut;
  };
  return { fetch, asked };
}

const col = (c: string, n: number) => Array.from({ length: n }, (_, i) => `${c}.${i + 1}`);
const limits = { maxRepetitions: 10, maxVarbinds: 10, maxRows: 1000 };

describe("walkColumns", () => {
  it("walks several columns side by side and stops each at its end", async () => {
    const d = device([
      ...col("1.3.6.1.2.1.2.2.1.2", 25),
      ...col("1.3.6.1.2.1.2.2.1.8", 25),
      "1.3.6.1.2.1.4.1.0",
    ]);
    const res = await walkColumns(["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.8"], d.fetch, limits);
    for (const c of ["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.8"]) {
      const r = res.get(c)!;
      expect(r.ok && [...r.rows.keys()]).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    }
    expect(d.asked).toHaveLength(3);
    expect(d.asked[0]!.oids).toHaveLength(2);
  });

  it("a device that answers fewer varbinds than asked (node net-snmp's agent caps the total at max-repetitions): every column still read whole", async () => {
    // The demo's simulated switch does this: asked 10 columns × 4, it answers 4 varbinds, and the columns
    // that got none were taken for ended (ifAlias empty on every poll after the first).
    const columns = Array.from({ length: 10 }, (_, c) => `1.3.6.1.2.1.31.1.1.1.${c + 1}`);
    const d = device(
      columns.flatMap((c) => col(c, 3)),
      { capVarbinds: 4 },
    );
    const res = await walkColumns(columns, d.fetch, { ...limits, expectedRows: new Map(columns.map((c) => [c, 3])) });
    for (const c of columns) expect(res.get(c), c).toEqual({ ok: true, rows: new Map(col(c, 3).map((o, i) => [String(i + 1), { oid: o }])) });
  });

  it("a reply with nothing for any column ends the walk (no loop)", async () => {
    const fetch = async (oids: string[]) => oids.map(() => []);
    const res = await walkColumns(["1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.2.2.1.7"], fetch, limits);
    expect([...res.values()]).toEqual([
      { ok: true, rows: new Map() },
      { ok: true, rows: new Map() },
    ]);
  });

  it("orders OIDs numerically (…​.10 after …​.9)", async () => {
    const d = device(col("1.3.6.1.4.1.9", 12));
    const r = (await walkColumns(["1.3.6.1.4.1.9"], d.fetch, limits)).get("1.3.6.1.4.1.9")!;
    expect(r.ok && r.rows.size).toBe(12);
  });

  it("gives an empty column for a table the device lacks", async () => {
    const d = device(["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.2.1"]);
    const r = (await walkColumns(["1.3.6.1.2.1.1.9"], d.fetch, limits)).get("1.3.6.1.2.1.1.9")!;
    expect(r).toEqual({ ok: true, rows: new Map() });
  });

  it.each([
    ["tooBig", { tooBigOver: 8 }],
    ["a lost oversized reply", { dropOver: 8 }],
  ])("backs off on %s and still reads every row", async (_, opts) => {
    const d = device(col("1.3.6.1.2.1.2.2.1.8", 40), opts);
    const r = (
      await walkColumns(["1.3.6.1.2.1.2.2.1.8"], d.fetch, {
        ...limits,
        maxRepetitions: 50,
        answered: () => true,
      })
    ).get("1.3.6.1.2.1.2.2.1.8")!;
    expect(r.ok && r.rows.size).toBe(40);
    expect(d.asked.at(-1)!.reps).toBeLessThanOrEqual(8);
  });

  it("does not mistake a device that never answered for an oversized reply", async () => {
    const d = device(col("1.3.6.1.2.1.2.2.1.8", 4), { dropOver: 0 });
    await expect(
      walkColumns(["1.3.6.1.2.1.2.2.1.8"], d.fetch, { ...limits, answered: () => false }),
    ).rejects.toThrow(BulkError);
    expect(d.asked).toHaveLength(1);
  });

  it("cuts off a column that never ends", async () => {
    let n = 0;
    const endless = async (oids: string[], reps: number) =>
      oids.map(() => Array.from({ length: reps }, () => ({ oid: `1.3.6.1.4.1.9.1.${++n}` })));
    const r = (await walkColumns(["1.3.6.1.4.1.9.1"], endless, { ...limits, maxRows: 100 })).get(
      "1.3.6.1.4.1.9.1",
    )!;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/more than 100 rows/);
  });

  it.each([
    ["backwards", ["1.3.6.1.4.1.9.1.5", "1.3.6.1.4.1.9.1.3"]],
    ["repeated", ["1.3.6.1.4.1.9.1.5", "1.3.6.1.4.1.9.1.5"]],
  ])("stops a walk whose OIDs go %s", async (_, oids) => {
    const fetch = async () => [oids.map((oid) => ({ oid }))];
    const r = (await walkColumns(["1.3.6.1.4.1.9.1"], fetch, limits)).get("1.3.6.1.4.1.9.1")!;
    expect(!r.ok && r.error).toMatch(/not increasing/);
  });

  it("asks for one repetition past last poll's row count, so the reply ends just past the column", async () => {
    const column = "1.3.6.1.2.1.2.2.1.8";
    const d = device([...col(column, 3), ...col("1.3.6.1.2.1.2.2.1.9", 30)]);
    const expectedRows = new Map([[column, 3]]);
    const r = (await walkColumns([column], d.fetch, { ...limits, expectedRows })).get(column)!;
    expect(r.ok && r.rows.size).toBe(3);
    expect(d.asked.map((a) => a.reps)).toEqual([4]);
  });

  it("still reads every row of a table that grew since last poll", async () => {
    const column = "1.3.6.1.2.1.2.2.1.8";
    const d = device([...col(column, 25), "1.3.6.1.2.1.2.2.1.9.1"]);
    const expectedRows = new Map([[column, 5]]);
    const r = (await walkColumns([column], d.fetch, { ...limits, expectedRows })).get(column)!;
    expect(r.ok && r.rows.size).toBe(25);
    // 6 (5 expected + its end), then the table is longer than known: back to maxRepetitions (10).
    expect(d.asked.map((a) => a.reps)).toEqual([6, 10, 10]);
  });
});
