import type { RawRead } from "../drivers/types.ts";
import type { ProfileReading } from "./schema.ts";

/** A canonical reading, ready for /metrics and conditions. */
export interface Reading {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A value the profile could not turn into a reading: the device is up but this point is not. */
export interface ReadingError {
  reading: string;
  error: string;
}

function toNumber(value: number | bigint | string): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  const n = Number(value.trim());
  return value.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

function rawKey(value: number | bigint | string): string {
  return typeof value === "string" ? value.trim() : String(value);
}

/** What a reading spec needs every poll, worked out once per spec (specs live as long as their profile). */
interface Prepared {
  ignored?: ReadonlySet<string>;
  /** Every state a state set can report, each series' labels built per sample. */
  states?: readonly string[];
  hasLabels: boolean;
}
const prepared = new WeakMap<ProfileReading, Prepared>();

function prepare(spec: ProfileReading): Prepared {
  let p = prepared.get(spec);
  if (!p) {
    p = {
      ignored: spec.ignore ? new Set(spec.ignore.map(String)) : undefined,
      states: spec.states
        ? [...new Set([...Object.values(spec.states.map), spec.states.default])]
        : undefined,
      hasLabels: Object.keys(spec.labels).length > 0,
    };
    prepared.set(spec, p);
  }
  return p;
}

const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Applies a profile's mapping to what the driver read: bit → map/states → scale/offset.
 * Pure: the same raw reads always give the same readings. Readings may share one labels object (a
 * table row's labels serve each of its columns): readings are never changed once made.
 */
export function mapReadings(
  specs: readonly ProfileReading[],
  reads: readonly RawRead[],
): { readings: Reading[]; errors: ReadingError[] } {
  const readings: Reading[] = [];
  const errors: ReadingError[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const read = reads[i];
    if (!read) continue;
    if (!read.ok) {
      errors.push({ reading: spec.name, error: read.error });
      continue;
    }
    const { ignored, states, hasLabels } = prepare(spec);
    // Unscaled values pass as read: rounding them would cut a counter past 10^12 (a 64-bit octet count).
    const scaled = spec.scale !== 1 || spec.offset !== 0;
    for (const sample of read.samples) {
      if (ignored?.has(rawKey(sample.value))) continue;
      const labels = hasLabels ? { ...spec.labels, ...sample.labels } : (sample.labels ?? NO_LABELS);
      let raw: number | bigint | string = sample.value;
      if (spec.bit !== undefined) {
        const n = typeof raw === "bigint" ? raw : BigInt(Math.trunc(toNumber(raw) ?? Number.NaN) || 0);
        raw = Number((n >> BigInt(spec.bit)) & 1n);
      }
      if (spec.states && states) {
        const current = spec.states.map[rawKey(raw)] ?? spec.states.default;
        for (const state of states)
          readings.push({
            name: spec.name,
            labels: { ...labels, [spec.states.label]: state },
            value: state === current ? 1 : 0,
          });
        continue;
      }
      let value: number | undefined;
      if (spec.map) {
        value = spec.map[rawKey(raw)] ?? spec.mapDefault;
        if (value === undefined) {
          errors.push({ reading: spec.name, error: `raw value ${rawKey(raw)} is not in the profile's map` });
          continue;
        }
      } else {
        value = toNumber(raw);
        if (value === undefined) {
          errors.push({
            reading: spec.name,
            error: `raw value ${JSON.stringify(String(raw))} is not a number`,
          });
          continue;
        }
      }
      // Rounded to 12 significant digits so 2301 × 0.1 reads 230.1, not 230.10000000000002.
      if (scaled) value = Number((value * spec.scale + spec.offset).toPrecision(12));
      if (spec.convert === "milliwatts_to_dbm") {
        if (!(value > 0)) continue;
        value = Number((10 * Math.log10(value)).toPrecision(12));
      }
      readings.push({ name: spec.name, labels, value });
    }
  }
  return { readings, errors };
}
