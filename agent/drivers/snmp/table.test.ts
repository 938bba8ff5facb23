import { describe, expect, it } from "vitest";
import { snmpSourceSchema, type TableSource } from "./options.ts";
import { type Columns, scalarRead, tableRead } from "./table.ts";
import type { ColumnResult } from "./walk.ts";

const rows = (entries: Record<string, string | number | bigint>) => ({
  ok: true as const,
  rows: new Map(Object.entries(entries).map(([k, value]) => [k, { value }])),
});
const table = (src: unknown) => snmpSourceSchema.parse(src) as TableSource;

const IF_OPER = "1.3.6.1.2.1.2.2.1.8";
const IF_NAME = "1.3.6.1.2.1.31.1.1.1.1";
const IF_DESCR = "1.3.6.1.2.1.2.2.1.2";

describe("tableRead", () => {
  const columns: Columns = new Map([
    [IF_OPER, rows({ "1": 1, "2": 2, "3": 1 })],
    [IF_NAME, rows({ "1": "lo", "2": "" })],
    [IF_DESCR, rows({ "1": "Loopback", "2": "eth0 descr", "3": "eth1 descr" })],
  ]);

  it("labels each row from other columns, first non-empty wins, then the index", () => {
    const read = tableRead(
      table({ walk: IF_OPER, labels: { ifname: [IF_NAME, IF_DESCR, "index"], i: "index" } }),
      columns,
    );
    expect(read).toEqual({
      ok: true,
      samples: [
        { labels: { ifname: "lo", i: "1" }, value: 1 },
        { labels: { ifname: "eth0 descr", i: "2" }, value: 2 },
        { labels: { ifname: "eth1 descr", i: "3" }, value: 1 },
      ],
    });
  });

  it("keeps rows whose labels come out the same apart by their index, so a healthy fan cannot hide a failed one", () => {
    const FAN_STATE = "1.3.6.1.4.1.9.9.13.1.4.1.3";
    const FAN_DESCR = "1.3.6.1.4.1.9.9.13.1.4.1.2";
    const cols: Columns = new Map([
      [FAN_STATE, rows({ "1004": 3, "1005": 1, "1006": 1 })],
      [FAN_DESCR, rows({ "1004": "Switch#1, Fan#1", "1005": "Switch#1, Fan#1", "1006": "Switch#1, Fan#2" })],
    ]);
    expect(tableRead(table({ walk: FAN_STATE, labels: { fan: FAN_DESCR } }), cols)).toEqual({
      ok: true,
      samples: [
        { labels: { fan: "Switch#1, Fan#1 [1004]" }, value: 3 },
        { labels: { fan: "Switch#1, Fan#1 [1005]" }, value: 1 },
        { labels: { fan: "Switch#1, Fan#2" }, value: 1 },
      ],
    });
  });

  it("uses the first alternative column that has rows (64-bit counters before 32-bit)", () => {
    const cols: Columns = new Map([
      ["1.3.6.1.2.1.31.1.1.1.6", rows({})],
      ["1.3.6.1.2.1.2.2.1.10", rows({ "1": 7 })],
    ]);
    const read = tableRead(table({ walk: ["1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.2.2.1.10"] }), cols);
    expect(read).toEqual({ ok: true, samples: [{ labels: {}, value: 7 }] });
  });

  it("filters rows by another column and divides by a third", () => {
    const cols: Columns = new Map([
      ["1.1", rows({ "1": 50, "2": 30 })],
      ["1.2", rows({ "1": 200, "2": 60 })],
      ["1.3", rows({ "1": "1.3.6.1.2.1.25.2.1.2", "2": "1.3.6.1.2.1.25.2.1.4" })],
    ]);
    const read = tableRead(
      table({ walk: "1.1", per: "1.2", where: { column: "1.3", in: ["1.3.6.1.2.1.25.2.1.2"] } }),
      cols,
    );
    expect(read).toEqual({ ok: true, samples: [{ labels: {}, value: 0.25 }] });
  });

  it("divides by the sum of other columns: CISCO-MEMORY-POOL used ÷ (used + free)", () => {
    const USED = "1.3.6.1.4.1.9.9.48.1.1.1.5";
    const FREE = "1.3.6.1.4.1.9.9.48.1.1.1.6";
    const cols: Columns = new Map([
      [USED, rows({ "1": 30, "2": 10, "3": 5 })],
      [FREE, rows({ "1": 90, "2": 0 })],
    ]);
    // Pool 1: 30 / 120; pool 2: 10 / 10; pool 3 has no free row: skipped, not divided by 5 alone.
    expect(
      tableRead(table({ walk: USED, labels: { pool: "index" }, per: { sum: [USED, FREE] } }), cols),
    ).toEqual({
      ok: true,
      samples: [
        { labels: { pool: "1" }, value: 0.25 },
        { labels: { pool: "2" }, value: 1 },
      ],
    });
    expect(() => table({ walk: USED, per: { sum: [USED] } })).toThrow(/at least two columns/);
  });

  it("divides each row by 10^(its decimal digits column): Raritan PDU2-MIB externalSensorDecimalDigits", () => {
    const cols: Columns = new Map([
      ["1.4", rows({ "1.1": 231, "1.2": 44, "1.3": 5, "1.4": 7 })],
      ["1.17", rows({ "1.1": 1, "1.2": 0, "1.3": -1 })],
    ]);
    // 231 with one digit is 23.1; 44 with none is 44; -1 digits is no count of digits; 1.4 has none at all.
    expect(tableRead(table({ walk: "1.4", labels: { s: "index" }, digits: "1.17" }), cols)).toEqual({
      ok: true,
      samples: [
        { labels: { s: "1.1" }, value: 23.1 },
        { labels: { s: "1.2" }, value: 44 },
      ],
    });
  });

  it("passes a walk error through; an empty table is no samples, not an error", () => {
    const cols: Columns = new Map<string, ColumnResult<{ value: string | number | bigint }>>([
      ["1.1", { ok: false, error: "walk of 1.1: cut off" }],
      ["1.2", rows({})],
    ]);
    expect(tableRead(table({ walk: "1.1" }), cols)).toEqual({ ok: false, error: "walk of 1.1: cut off" });
    expect(tableRead(table({ walk: "1.2" }), cols)).toEqual({ ok: true, samples: [] });
  });
});

describe("scalarRead", () => {
  const values = new Map<string, string | number | bigint | { missing: string }>([
    ["1.1.0", { missing: "NoSuchObject" }],
    ["1.2.0", 42],
    ["1.3.0", 0],
  ]);
  it("takes the first alternative the device has", () => {
    expect(scalarRead({ get: ["1.1.0", "1.2.0"] }, values)).toEqual({ ok: true, samples: [{ value: 42 }] });
  });
  it("names every missing OID", () => {
    expect(scalarRead({ get: ["1.1.0"] }, values)).toEqual({ ok: false, error: "1.1.0: NoSuchObject" });
  });
  it("refuses to divide by zero", () => {
    expect(scalarRead({ get: ["1.2.0"], per: "1.3.0" }, values).ok).toBe(false);
  });
  it("divides by 10^digits from another scalar (PDU2-MIB inletSensorDecimalDigits), and names a bad one", () => {
    const v = new Map<string, string | number | bigint | { missing: string }>([
      ["7.1.1.1", 10],
      ["digits.1.1.1", 1],
      ["digits.1.1.4", 0],
      ["digits.bad", 2.5],
    ]);
    // NUT raritan-px2-mib.c: rmsCurrent 10 with inletSensorDecimalDigits 1 is 1.0 A.
    expect(scalarRead({ get: ["7.1.1.1"], digits: "digits.1.1.1" }, v)).toEqual({
      ok: true,
      samples: [{ value: 1 }],
    });
    expect(scalarRead({ get: ["7.1.1.1"], digits: "digits.1.1.4" }, v)).toEqual({
      ok: true,
      samples: [{ value: 10 }],
    });
    expect(scalarRead({ get: ["7.1.1.1"], digits: "digits.bad" }, v)).toEqual({
      ok: false,
      error: "digits.bad: 2.5 is not a number of decimal digits",
    });
    expect(scalarRead({ get: ["7.1.1.1"], digits: "digits.none" }, v)).toEqual({
      ok: false,
      error: "digits.none: not asked",
    });
  });
});
