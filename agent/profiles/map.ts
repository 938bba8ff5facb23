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

/**
 * Applies a profile's mapping to what the driver read: bit → map/states → scale/offset.
 * Pure: the same raw reads always give the same readings.
 */
export function mapReadings(
  specs: readonly ProfileReading[],
  reads: readonly RawRead[],
): { readings: Reading[]; errors: ReadingError[] } {
  const readings: Reading[] = [];
  const errors: ReadingError[] = [];
  specs.forEach((spec, i) => {
    const read = reads[i];
    if (!read) return;
    if (!read.ok) {
      errors.push({ reading: spec.name, error: read.error });
      return;
    }
    const ignored = spec.ignore ? new Set(spec.ignore.map(String)) : undefined;
    for (const sample of read.samples) {
      if (ignored?.has(rawKey(sample.value))) continue;
      const labels = { ...spec.labels, ...sample.labels };
      let raw: number | bigint | string = sample.value;
      if (spec.bit !== undefined) {
        const n = typeof raw === "bigint" ? raw : BigInt(Math.trunc(toNumber(raw) ?? Number.NaN) || 0);
        raw = Number((n >> BigInt(spec.bit)) & 1n);
      }
      if (spec.states) {
        const current = spec.states.map[rawKey(raw)] ?? spec.states.default;
        const all = new Set([...Object.values(spec.states.map), spec.states.default]);
        for (const state of all)
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
      readings.push({
        name: spec.name,
        labels,
        value: Number((value * spec.scale + spec.offset).toPrecision(12)),
      });
    }
  });
  return { readings, errors };
}
