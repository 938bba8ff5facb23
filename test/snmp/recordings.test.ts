import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAutoProfiles } from "../../agent/drivers/snmp/auto.ts";
import { snmpOptionsSchema } from "../../agent/drivers/snmp/options.ts";
import { loadProfiles } from "../../agent/profiles/load.ts";
import { deviceSchema } from "../../common/config/schema.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT } from "../harness/process.ts";
import { recordingsDir, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { AUTO_SUFFIX, type OnceLine, readingsOf, runNamedAndAuto } from "./agent-once.ts";
import { CASES, COMPARED_CLASSES, type RecordingCase } from "./recording-cases.ts";

/**
 * Debian's snmpsim serves every LibreNMS recording (each under the community named after its file);
 * one `watchfloor-agent --once` polls them all through the shipped profiles, and each device's
 * readings are compared with the values LibreNMS reads from the same recording.
 */
const missing = snmpsimMissing();
const AUTO = AUTO_SUFFIX;
const skip = skipWithout(missing, "LibreNMS recordings");

interface Sensor {
  sensor_class: string;
  sensor_descr: string;
  sensor_oid: string;
  sensor_current: number;
}
interface Port {
  ifName: string;
  ifOperStatus: string;
  ifAdminStatus: string | null;
}

function expectedOf(recording: string): { sensors: Sensor[]; ports: Port[] } {
  const json = JSON.parse(readFileSync(join(recordingsDir(), `${recording}.json`), "utf8"));
  const sensors: Sensor[] = json.sensors?.discovery?.sensors ?? [];
  const poller = json.ports?.poller?.ports;
  const ports: Port[] = Array.isArray(poller) ? poller : (json.ports?.discovery?.ports ?? []);
  return { sensors, ports };
}

/** LibreNMS units → ours. */
function canonical(s: Sensor): number {
  switch (s.sensor_class) {
    case "charge":
    case "load":
    case "humidity":
      return s.sensor_current / 100;
    case "runtime":
      return s.sensor_current * 60;
    default:
      return s.sensor_current;
  }
}

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-6, Math.abs(expected) * 1e-6);
}

describe.skipIf(skip)("LibreNMS recordings through snmpsim and watchfloor-agent --once", () => {
  let sim: Snmpsim;
  let lines: Map<string, OnceLine>;

  beforeAll(async () => {
    sim = await startSnmpsim();
    // Each recording twice: with its named profile, and with `profile: auto` (id suffixed AUTO).
    lines = await runNamedAndAuto(`127.0.0.1:${sim.port}`, CASES);
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("covers every recording in the folder", () => {
    expect(CASES.map((c) => c.recording).sort()).toEqual([...sim.communities].sort());
  });

  it("profile: auto applies, by sysObjectID and the MIBs that answer, at least the profile each recording is read with", async () => {
    const { profiles } = loadProfiles(join(ROOT, "config/profiles"));
    const placeholder = profiles.get("if-mib")!;
    const devices = CASES.map((c) => ({
      config: deviceSchema.parse({
        id: c.recording,
        name: c.recording,
        class: c.class,
        driver: "snmp",
        address: `127.0.0.1:${sim.port}`,
        profile: "auto",
      }),
      options: snmpOptionsSchema.parse({ community: c.recording }),
      profile: placeholder,
    }));
    expect(await resolveAutoProfiles(devices, profiles)).toEqual([]);
    const applied = Object.fromEntries(devices.map((d) => [d.config.id, d.profile.applied?.[0]]));
    // The first applied is the vendor profile, or the standard MIB the case is read with.
    expect(applied).toEqual(Object.fromEntries(CASES.map((c) => [c.recording, c.profile])));
    // --once says which profiles it applied.
    for (const c of CASES) {
      expect(lines.get(c.recording)?.profiles?.[0]).toBe(c.profile);
      expect(lines.get(`${c.recording}${AUTO}`)?.profiles).toContain(c.profile);
    }
  });

  it.each(
    CASES.flatMap((c) => [
      [c.recording, c.recording, c],
      [`${c.recording} (profile: auto)`, `${c.recording}${AUTO}`, c],
    ]) as [string, string, RecordingCase][],
  )("%s", (_title, id, c) => {
    const recording = c.recording;
    const line = lines.get(id)!;
    expect(line.up, line.error).toBe(true);
    const { sensors, ports } = expectedOf(recording);
    const failures: string[] = [];
    let compared = 0;
    for (const s of sensors.filter((x) => COMPARED_CLASSES.includes(x.sensor_class))) {
      if (c.deviations?.[s.sensor_oid]) continue;
      const rule = c.rules.find(([re]) => re.test(s.sensor_oid));
      if (!rule) {
        failures.push(`no rule for LibreNMS ${s.sensor_class} "${s.sensor_descr}" ${s.sensor_oid}`);
        continue;
      }
      const [re, name, labelRule = {}] = rule;
      const group = re.exec(s.sensor_oid)?.[1] ?? "";
      const labels = Object.fromEntries(
        Object.entries(labelRule).map(([k, v]) => [
          k,
          v === "$descr" ? s.sensor_descr : v.replace("$1", group),
        ]),
      );
      const got = readingsOf(line, name, labels);
      const want = canonical(s);
      compared++;
      if (got.length !== 1 || !close(got[0]!.value, want))
        failures.push(
          `${name}${JSON.stringify(labels)}: expected ${want} (LibreNMS "${s.sensor_descr}"), got ${JSON.stringify(got)}`,
        );
    }
    if (c.ports) {
      expect(ports.length).toBeGreaterThan(0);
      for (const p of ports) {
        compared++;
        const oper = readingsOf(line, "if_oper_up", { ifname: p.ifName });
        const admin = readingsOf(line, "if_admin_up", { ifname: p.ifName });
        if (oper.length !== 1 || oper[0]!.value !== (p.ifOperStatus === "up" ? 1 : 0))
          failures.push(
            `if_oper_up{ifname=${p.ifName}}: expected ${p.ifOperStatus}, got ${JSON.stringify(oper)}`,
          );
        // LibreNMS has no admin status for FortiGate's virtual interfaces (the walk lacks those rows).
        if (
          p.ifAdminStatus !== null &&
          (admin.length !== 1 || admin[0]!.value !== (p.ifAdminStatus === "up" ? 1 : 0))
        )
          failures.push(
            `if_admin_up{ifname=${p.ifName}}: expected ${p.ifAdminStatus}, got ${JSON.stringify(admin)}`,
          );
      }
    }
    for (const r of c.raw ?? []) {
      compared++;
      const got = readingsOf(line, r.reading, r.labels);
      if (r.value === "absent") {
        if (got.length !== 0)
          failures.push(`${r.reading}${JSON.stringify(r.labels)}: expected none, got ${JSON.stringify(got)}`);
      } else if (got.length !== 1 || !close(got[0]!.value, r.value))
        failures.push(
          `${r.reading}${JSON.stringify(r.labels)}: expected ${r.value}, got ${JSON.stringify(got)}`,
        );
    }
    console.log(
      `${id}: ${compared - failures.length}/${compared} LibreNMS values matched; profiles ${line.profiles?.join(" + ")}; ${line.readings.length} readings`,
    );
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});
