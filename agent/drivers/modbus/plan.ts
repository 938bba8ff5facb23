import type { Table } from "./source.ts";

/** A span a profile wants: table, first address, width (registers, or bits for coils/discrete inputs). */
export interface RegisterSpan {
  table: Table;
  address: number;
  count: number;
}

/** One request on the wire and which spans (indexes into the input) it serves. */
export interface ReadRequest {
  table: Table;
  address: number;
  count: number;
  spans: number[];
}

export interface PlanLimits {
  /** Longest register read (Modbus allows 125). */
  maxRegisters: number;
  /** Longest coil / discrete-input read (Modbus allows 2000). */
  maxBits?: number;
  /** Unused registers (or bits) allowed between two spans read in one request. */
  maxGap: number;
}

const TABLE_ORDER: Record<Table, number> = { coil: 0, discrete: 1, holding: 2, input: 3 };

/**
 * Groups spans into as few requests as the device allows: spans of one table whose gap is at most
 * `maxGap` share a request that is never longer than the table's limit. Overlapping and duplicate spans
 * share too. Pure; see plan.test.ts for the table of cases.
 */
export function planRequests(spans: readonly RegisterSpan[], limits: PlanLimits): ReadRequest[] {
  const order = spans
    .map((span, index) => ({ span, index }))
    .sort(
      (a, b) =>
        TABLE_ORDER[a.span.table] - TABLE_ORDER[b.span.table] ||
        a.span.address - b.span.address ||
        a.span.count - b.span.count,
    );
  const requests: ReadRequest[] = [];
  let current: ReadRequest | undefined;
  for (const { span, index } of order) {
    const max =
      span.table === "coil" || span.table === "discrete" ? (limits.maxBits ?? 2000) : limits.maxRegisters;
    const end = span.address + span.count;
    const currentEnd = current ? current.address + current.count : 0;
    if (
      current &&
      current.table === span.table &&
      span.address <= currentEnd + limits.maxGap &&
      Math.max(end, currentEnd) - current.address <= max
    ) {
      current.count = Math.max(end, currentEnd) - current.address;
      current.spans.push(index);
    } else {
      current = { table: span.table, address: span.address, count: span.count, spans: [index] };
      requests.push(current);
    }
  }
  return requests;
}

/** One request per distinct span: what a device that refuses multi-value reads gets. */
export function planSingleReads(spans: readonly RegisterSpan[]): ReadRequest[] {
  const byKey = new Map<string, ReadRequest>();
  spans.forEach((s, i) => {
    const key = `${s.table}:${s.address}:${s.count}`;
    const req = byKey.get(key);
    if (req) req.spans.push(i);
    else byKey.set(key, { table: s.table, address: s.address, count: s.count, spans: [i] });
  });
  return [...byKey.values()];
}
