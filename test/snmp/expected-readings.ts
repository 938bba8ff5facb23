import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { isCanonicalReading } from "../../common/vocabulary.ts";

/**
 * The expected values beside a recording (`<recording>.expected.yaml`): what the named profile must read
 * from it, each value worked out by hand from the vendor MIB's UNITS / DESCRIPTION or the divisor a
 * mature tool (LibreNMS, Zabbix) documents — `from` says which — never computed by the profile code.
 */
const reading = z.strictObject({
  reading: z.string().refine(isCanonicalReading, "expected a canonical reading name (common/vocabulary.ts)"),
  labels: z.record(z.string(), z.string()).default({}),
  value: z.number(),
  /** The raw value(s), the MIB object and the scaling that give `value`. */
  from: z.string().min(10),
  /** Read by a standard MIB that `profile: auto` adds (UPS-MIB, HOST-RESOURCES), not by the named profile. */
  auto: z.boolean().default(false),
});

const absent = z.strictObject({
  reading: z.string().refine(isCanonicalReading, "expected a canonical reading name (common/vocabulary.ts)"),
  labels: z.record(z.string(), z.string()).default({}),
  /** Why the raw value is no reading (a sentinel, a not-present row). */
  why: z.string().min(10),
});

export const expectedFileSchema = z.strictObject({
  /** The profile the recording is for; `profile: auto` must apply it too. */
  profile: z.string().min(1),
  class: z.string().default("network"),
  /** The profiles `profile: auto` must apply, in order (the vendor's first), when the case says. */
  autoProfiles: z.array(z.string().min(1)).optional(),
  /** Where the recording's values come from (our own, modelled on the vendor MIB). */
  recording: z.string().min(10),
  readings: z.array(reading).min(1),
  absent: z.array(absent).default([]),
});
export type ExpectedFile = z.infer<typeof expectedFileSchema>;

export interface ExpectedCase extends ExpectedFile {
  /** The recording's stem: snmpsim's community. */
  name: string;
}

/** Every `*.expected.yaml` in `dir`, parsed; a malformed file throws naming the file and the field. */
export function loadExpectedCases(dir: string): ExpectedCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".expected.yaml"))
    .sort()
    .map((f) => {
      const res = expectedFileSchema.safeParse(parse(readFileSync(join(dir, f), "utf8")));
      if (!res.success)
        throw new Error(
          `${f}: ${res.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
        );
      return { ...res.data, name: f.slice(0, -".expected.yaml".length) };
    });
}

/** Within 1 % of the expected value (an absolute 1e-9 around zero). */
export function withinOnePercent(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-9, Math.abs(expected) * 0.01);
}
