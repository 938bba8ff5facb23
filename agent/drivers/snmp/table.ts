import type { RawRead, RawSample } from "../types.ts";
import type { SnmpSource, TableSource } from "./options.ts";
import type { ColumnResult } from "./walk.ts";

export type Columns = ReadonlyMap<string, ColumnResult<{ value: RawSample["value"] }>>;

/** Every column a table source needs besides its value column: label columns and the filter column. */
export function helperColumns(src: TableSource): string[] {
  const out: string[] = [];
  for (const l of Object.values(src.labels)) out.push(...l.filter((c) => c !== "index"));
  if (src.where) out.push(src.where.column);
  if (src.times) out.push(src.times);
  if (src.per) out.push(...divisorColumns(src.per));
  if (src.digits) out.push(src.digits);
  return out;
}

type Divisor = NonNullable<TableSource["per"]>;
const divisorColumns = (per: Divisor): string[] => (typeof per === "string" ? [per] : per.sum);

/** A value's decimal digits (0, 1, 2 …) as 10^digits; anything else is not a usable digit count. */
function powerOfTen(digits: number | undefined): number | undefined {
  return digits !== undefined && Number.isInteger(digits) && digits >= 0 && digits <= 15
    ? 10 ** digits
    : undefined;
}

/** The first of a source's alternative OIDs that gave rows (or a scalar value), else the last tried. */
export function chosenColumn(alternatives: readonly string[], columns: Columns): string | undefined {
  for (const c of alternatives) {
    const r = columns.get(c);
    if (!r) return undefined;
    if (!r.ok || r.rows.size > 0) return c;
  }
  return alternatives.at(-1);
}

function labelValue(spec: string[], index: string, columns: Columns): string | undefined {
  for (const column of spec) {
    if (column === "index") return index;
    const r = columns.get(column);
    const v = r?.ok ? r.rows.get(index)?.value : undefined;
    if (v !== undefined && String(v).trim() !== "") return String(v).trim();
  }
  return undefined;
}

function cell(columns: Columns, column: string, index: string): number | undefined {
  const r = columns.get(column);
  const v = r?.ok ? r.rows.get(index)?.value : undefined;
  const n = typeof v === "string" ? Number(v) : v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The same row of several columns added up; undefined when any of them lacks the row. */
function sumOf(columnsToAdd: readonly string[], columns: Columns, index: string): number | undefined {
  let sum = 0;
  for (const c of columnsToAdd) {
    const v = cell(columns, c, index);
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}

/** The labels of every row under one labels spec, per poll (the columns): the readings of a table share them. */
const rowLabels = new WeakMap<Columns, Map<string, Map<string, Record<string, string>>>>();
const specKeys = new WeakMap<TableSource["labels"], string>();

function labelsOf(src: TableSource, index: string, columns: Columns): Record<string, string> {
  let key = specKeys.get(src.labels);
  if (key === undefined) {
    key = JSON.stringify(src.labels);
    specKeys.set(src.labels, key);
  }
  let bySpec = rowLabels.get(columns);
  if (!bySpec) {
    bySpec = new Map();
    rowLabels.set(columns, bySpec);
  }
  let rows = bySpec.get(key);
  if (!rows) {
    rows = new Map();
    bySpec.set(key, rows);
  }
  let labels = rows.get(index);
  if (!labels) {
    labels = {};
    for (const name in src.labels) labels[name] = labelValue(src.labels[name]!, index, columns) ?? "";
    rows.set(index, labels);
  }
  return labels;
}

/**
 * Turns walked columns into one sample per row, labelled from other columns of the same row (a label
 * with no value is empty; end a list with "index" to fall back to the row index). Samples of the same
 * row and labels spec share one labels object: never change it.
 */
export function tableRead(src: TableSource, columns: Columns): RawRead {
  const column = chosenColumn(src.walk, columns);
  const res = column ? columns.get(column) : undefined;
  if (!res) return { ok: false, error: `walk of ${src.walk.join(" / ")} was not done` };
  if (!res.ok) return res;
  // An empty table is an answer (no probe plugged in, no PSU rows), not an error to log every poll.
  const samples: RawSample[] = [];
  const indexes: string[] = [];
  const filter = src.where ? columns.get(src.where.column) : undefined;
  const allowed = src.where?.in ? new Set(src.where.in.map(String)) : undefined;
  const pattern = src.where?.match ? new RegExp(src.where.match) : undefined;
  // forEach, not for…of with [index, vb]: no entry array per row and poll.
  res.rows.forEach((vb, index) => {
    if (src.where) {
      const v = filter?.ok ? filter.rows.get(index)?.value : undefined;
      if (v === undefined) return;
      if (allowed && !allowed.has(String(v))) return;
      if (pattern && !pattern.test(String(v))) return;
    }
    let value = vb.value;
    if (src.times || src.per || src.digits) {
      const factor = src.times ? cell(columns, src.times, index) : 1;
      const divisor = src.per ? sumOf(divisorColumns(src.per), columns, index) : 1;
      const decimals = src.digits ? powerOfTen(cell(columns, src.digits, index)) : 1;
      if (factor === undefined || divisor === undefined || divisor === 0 || decimals === undefined) return;
      value = (Number(value) * factor) / divisor / decimals;
    }
    // indexes[i] is samples[i]'s row (a row skipped above has neither).
    indexes.push(index);
    samples.push({ labels: labelsOf(src, index, columns), value });
  });
  keepRowsApart(src, samples, indexes);
  return { ok: true, samples };
}

/**
 * Rows whose labels come out the same (two fans both described "Switch#1, Fan#1": a description is
 * free text, not an identity) would be one series, and a healthy fan would hide a failed one. Each such
 * row gets its row index after its first label's value ("Switch#1, Fan#1 [1005]"): stable while the
 * device keeps its table, and visible, so the profile or the device's naming can be corrected.
 */
function keepRowsApart(src: TableSource, samples: RawSample[], indexes: readonly string[]): void {
  const names = Object.keys(src.labels);
  if (names.length === 0 || samples.length < 2) return;
  const seen = new Map<string, number>();
  const collided = new Set<string>();
  for (const sample of samples) {
    let key = "";
    for (const name of names) key += `${sample.labels![name]}\u0000`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n === 2) collided.add(key);
  }
  if (collided.size === 0) return;
  const first = names[0]!;
  for (let i = 0; i < samples.length; i++) {
    const labels = samples[i]!.labels!;
    let key = "";
    for (const name of names) key += `${labels[name]}\u0000`;
    if (collided.has(key))
      samples[i] = { ...samples[i]!, labels: { ...labels, [first]: `${labels[first]} [${indexes[i]}]`.trim() } };
  }
}

type ScalarValues = ReadonlyMap<string, RawSample["value"] | { missing: string }>;

function scalarValue(alternatives: readonly string[], values: ScalarValues): RawRead {
  const misses: string[] = [];
  for (const oid of alternatives) {
    const v = values.get(oid);
    if (v === undefined) misses.push(`${oid}: not asked`);
    else if (typeof v === "object" && "missing" in v) misses.push(`${oid}: ${v.missing}`);
    else return { ok: true, samples: [{ value: v }] };
  }
  return { ok: false, error: misses.join("; ") };
}

/**
 * A scalar source: the first alternative the device has, divided by `per` when given and by 10^digits
 * when `digits` names the scalar holding the value's decimal digits.
 */
export function scalarRead(
  src: { get: readonly string[]; per?: string; digits?: string },
  values: ScalarValues,
): RawRead {
  const read = scalarValue(src.get, values);
  if (!read.ok || (!src.per && !src.digits)) return read;
  let value = Number(read.samples[0]!.value);
  if (src.per) {
    const divisor = scalarValue([src.per], values);
    if (!divisor.ok) return divisor;
    const d = Number(divisor.samples[0]!.value);
    if (!Number.isFinite(d) || d === 0) return { ok: false, error: `${src.per}: divisor ${d} is not usable` };
    value /= d;
  }
  if (src.digits) {
    const digits = scalarValue([src.digits], values);
    if (!digits.ok) return digits;
    const raw = Number(digits.samples[0]!.value);
    const decimals = powerOfTen(raw);
    if (decimals === undefined)
      return { ok: false, error: `${src.digits}: ${raw} is not a number of decimal digits` };
    value /= decimals;
  }
  return { ok: true, samples: [{ value }] };
}

export function isScalar(src: SnmpSource): src is Extract<SnmpSource, { get: string[] }> {
  return "get" in src;
}
