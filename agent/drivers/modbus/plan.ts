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
  /**
   * Unused registers (or bits) allowed between two spans read in one request. Set: the fixed greedy
   * rule. Absent: the plan with the least wire time under `cost` (see planCheapest).
   */
  maxGap?: number;
  /** The transport's cost model; absent = Modbus TCP. */
  cost?: WireCost;
}

/**
 * What one read costs on a transport, in seconds: a fixed part per request and a part per register
 * (or per coil/discrete bit) read. On RS-485 at 9600 8N1 a request is about 20 character times (8-byte
 * request, 5-byte reply frame, two 3.5-character silences) plus 2 per register; on TCP the round trip
 * dwarfs the bytes.
 */
export interface WireCost {
  perRequest: number;
  perRegister: number;
  perBit: number;
}

/** The cost model of a serial line at `baud` (bits per character: start + data + parity + stop). */
export function serialCost(baud: number, bitsPerChar = 10, turnaroundSeconds = 0): WireCost {
  const char = bitsPerChar / baud;
  return { perRequest: (8 + 5 + 7) * char + turnaroundSeconds, perRegister: 2 * char, perBit: char / 8 };
}

/** Modbus TCP on a LAN: ~1 ms round trip per request; the bytes (at 100 Mbit/s) are nearly free. */
export const TCP_COST: WireCost = { perRequest: 1e-3, perRegister: 16 / 100e6, perBit: 1 / 100e6 };

/** The wire time of a plan under a cost model (what the planner minimises; the benchmark prints it). */
export function planCost(requests: readonly ReadRequest[], cost: WireCost): number {
  return requests.reduce(
    (t, r) => t + cost.perRequest + r.count * (isBits(r.table) ? cost.perBit : cost.perRegister),
    0,
  );
}

const isBits = (t: Table) => t === "coil" || t === "discrete";

const TABLE_ORDER: Record<Table, number> = { coil: 0, discrete: 1, holding: 2, input: 3 };

/**
 * Groups spans into as few requests as the device allows: spans of one table whose gap is at most
 * `maxGap` share a request that is never longer than the table's limit. Overlapping and duplicate spans
 * share too. Pure; see plan.test.ts for the table of cases.
 */
export function planRequests(spans: readonly RegisterSpan[], limits: PlanLimits): ReadRequest[] {
  if (limits.maxGap === undefined) return planCheapest(spans, limits);
  const maxGap = limits.maxGap;
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
      span.address <= currentEnd + maxGap &&
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

/**
 * The plan with the least wire time: per table, spans sorted by address are cut into consecutive
 * groups, each read as one request from its first address to its furthest end (reading through the
 * holes between), never longer than the table's limit. Dynamic programming over the cut points gives
 * the exact minimum of planCost — a hole is read through exactly when that is cheaper than another
 * request. Pure; O(n²) in the number of spans of a table.
 */
export function planCheapest(spans: readonly RegisterSpan[], limits: PlanLimits): ReadRequest[] {
  const cost = limits.cost ?? TCP_COST;
  const requests: ReadRequest[] = [];
  for (const table of Object.keys(TABLE_ORDER) as Table[]) {
    const items = spans
      .map((span, index) => ({ span, index }))
      .filter((x) => x.span.table === table)
      .sort((a, b) => a.span.address - b.span.address || a.span.count - b.span.count);
    if (items.length === 0) continue;
    const max = isBits(table) ? (limits.maxBits ?? 2000) : limits.maxRegisters;
    const unit = isBits(table) ? cost.perBit : cost.perRegister;
    const n = items.length;
    // best[i]: least cost of reading items[0..i); cut[i]: where the last request of that plan starts.
    const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
    const cut = new Array<number>(n + 1).fill(0);
    best[0] = 0;
    for (let i = 1; i <= n; i++) {
      let end = 0;
      for (let j = i - 1; j >= 0; j--) {
        const s = items[j]!.span;
        end = Math.max(end, s.address + s.count);
        const width = end - s.address;
        // A single span wider than the limit is its own request (the device will say if it minds).
        if (width > max && j < i - 1) break;
        const c = best[j]! + cost.perRequest + width * unit;
        if (c < best[i]! - 1e-12) {
          best[i] = c;
          cut[i] = j;
        }
      }
    }
    const groups: ReadRequest[] = [];
    for (let i = n; i > 0; i = cut[i]!) {
      const group = items.slice(cut[i]!, i);
      const address = group[0]!.span.address;
      const end = Math.max(...group.map((g) => g.span.address + g.span.count));
      groups.unshift({ table, address, count: end - address, spans: group.map((g) => g.index) });
    }
    requests.push(...groups);
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
