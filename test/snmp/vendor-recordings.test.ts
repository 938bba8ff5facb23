import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { AUTO_SUFFIX, type OnceLine, readingsOf, runNamedAndAuto } from "./agent-once.ts";
import { type ExpectedCase, loadExpectedCases, withinOnePercent } from "./expected-readings.ts";

/**
 * Vendor recordings written for this project (test/snmp/recordings/<vendor>-<model>.snmprec) with the
 * values expected of them beside each (<name>.expected.yaml, worked out by hand from the vendor MIB or a
 * mature tool's documented divisor). Real snmpsim serves them; one `watchfloor-agent --once` reads each
 * twice — with its named profile and with `profile: auto` — and every expected reading must be there
 * within 1 %, and every sentinel must give no reading.
 */
const OWN = join(import.meta.dirname, "recordings");
const CASES = loadExpectedCases(OWN);
const skip = skipWithout(snmpsimMissing(OWN), "vendor recordings");

describe.skipIf(skip)("vendor recordings through snmpsim and watchfloor-agent --once", () => {
  let sim: Snmpsim;
  let lines: Map<string, OnceLine>;

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN, only: CASES.map((c) => c.name) });
    lines = await runNamedAndAuto(
      `127.0.0.1:${sim.port}`,
      CASES.map((c) => ({ recording: c.name, profile: c.profile, class: c.class })),
    );
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("every expected-values file has its recording", () => {
    for (const c of CASES) expect(existsSync(join(OWN, `${c.name}.snmprec`)), c.name).toBe(true);
  });

  const check = (c: ExpectedCase, line: OnceLine | undefined, auto: boolean): string[] => {
    const failures: string[] = [];
    for (const r of c.readings.filter((x) => auto || !x.auto)) {
      const got = readingsOf(line, r.reading, r.labels);
      if (got.length !== 1 || !withinOnePercent(got[0]!.value, r.value))
        failures.push(
          `${r.reading}${JSON.stringify(r.labels)}: expected ${r.value} (${r.from}), got ${JSON.stringify(got)}`,
        );
    }
    for (const a of c.absent) {
      const got = readingsOf(line, a.reading, a.labels);
      if (got.length !== 0)
        failures.push(
          `${a.reading}${JSON.stringify(a.labels)}: expected none (${a.why}), got ${JSON.stringify(got)}`,
        );
    }
    return failures;
  };

  it.each(CASES.map((c) => [c.name, c] as const))("%s with its profile", (_name, c) => {
    const line = lines.get(c.name);
    expect(line?.up, line?.error).toBe(true);
    expect(line?.readingErrors ?? []).toEqual([]);
    expect(check(c, line, false)).toEqual([]);
    console.log(
      `${c.name}: ${c.readings.length} expected values and ${c.absent.length} sentinels matched; ${line?.readings.length} readings`,
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s with profile: auto", (_name, c) => {
    const line = lines.get(`${c.name}${AUTO_SUFFIX}`);
    expect(line?.up, line?.error).toBe(true);
    expect(line?.profiles?.[0]).toBe(c.profile);
    if (c.autoProfiles) expect(line?.profiles).toEqual(c.autoProfiles);
    expect(check(c, line, true)).toEqual([]);
  });
});
