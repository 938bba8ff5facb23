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
});
