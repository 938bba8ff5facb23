/**
 * `watchfloor profile test` end to end: Debian's snmpsimd serves a walk, the agent's own driver and
 * profiles read it. Expected values come from LibreNMS's reading of the same recording (its .json), the
 * walk file itself (which subtrees exist) and Debian's snmpwalk (the same device walked as text).
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT, tempDir } from "../harness/process.ts";
import { recordingsDir, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";

const OWN = join(import.meta.dirname, "recordings");
const skip = skipWithout(snmpsimMissing(), "watchfloor profile test");

interface Report {
  profiles: string[];
  up: boolean;
  readings: { name: string; labels: Record<string, string>; value: number }[];
  coverage: { walked: number; read: number; missed: { subtree: string; name?: string; oids: number }[] };
}

function profileTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [join(ROOT, "bin/watchfloor.mjs"), "profile", "test", ...args],
      { cwd: ROOT, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe.skipIf(skip)("watchfloor profile test RECORDING", () => {
  let sim: Snmpsim;
  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it("a Linux host with no vendor profile: the standard MIBs read what LibreNMS reads, the UCD subtree is named as missed", async () => {
    const file = join(recordingsDir(), "linux_icecast.snmprec");
    const res = await profileTest(file, "--json");
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.profiles).toEqual(["host-resources", "if-mib"]);
    const librenms = JSON.parse(readFileSync(join(recordingsDir(), "linux_icecast.json"), "utf8"));
    const ports: { ifName: string; ifOperStatus: string }[] =
      librenms.ports.poller?.ports ?? librenms.ports.discovery.ports;
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) {
      const oper = report.readings.filter((r) => r.name === "if_oper_up" && r.labels.ifname === p.ifName);
      expect(
        oper.map((r) => r.value),
        p.ifName,
      ).toEqual([p.ifOperStatus === "up" ? 1 : 0]);
    }
    // The walk holds UCD-SNMP (enterprise 2021) OIDs that no shipped profile reads: the report says so.
    expect(readFileSync(file, "utf8")).toMatch(/^1\.3\.6\.1\.4\.1\.2021\./m);
    const ucd = report.coverage.missed.filter((m) => m.subtree.startsWith("1.3.6.1.4.1.2021"));
    expect(ucd.length).toBeGreaterThan(0);
    expect(ucd[0]!.name).toContain("UCD");
    expect(report.coverage.read).toBeGreaterThan(0);
  });

  it("a text walk from Debian's snmpwalk -On reads the same as the .snmprec it was walked from", async () => {
    const text = execFileSync(
      "snmpwalk",
      ["-v2c", "-On", "-c", "watchfloor-ups", `127.0.0.1:${sim.port}`, ".1"],
      {
        encoding: "utf8",
      },
    );
    const walk = join(tempDir("wf-walk-"), "ups.walk");
    writeFileSync(walk, text);
    const [fromText, fromRec] = await Promise.all([
      profileTest(walk, "--json"),
      profileTest(join(OWN, "watchfloor-ups.snmprec"), "--json"),
    ]);
    expect(fromText.code, fromText.stderr).toBe(0);
    const a = JSON.parse(fromText.stdout) as Report;
    const b = JSON.parse(fromRec.stdout) as Report;
    expect(a.profiles).toEqual(["ups-mib"]);
    expect(a.readings).toEqual(b.readings);
    // snmpget on the same simulator is the independent reading of one value.
    const runtime = execFileSync(
      "snmpget",
      ["-v2c", "-Oqv", "-c", "watchfloor-ups", `127.0.0.1:${sim.port}`, "1.3.6.1.2.1.33.1.2.3.0"],
      {
        encoding: "utf8",
      },
    ).trim();
    expect(a.readings.find((r) => r.name === "ups_battery_runtime_seconds")?.value).toBe(
      Number(runtime) * 60,
    );
  });

  it("the human report names the profiles and the readings; a file that is no walk is refused with its line", async () => {
    const res = await profileTest(join(OWN, "watchfloor-apc-ups.snmprec"), "--profile", "apc-powernet-ups");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("profiles applied: apc-powernet-ups");
    expect(res.stdout).toMatch(/ups_battery_charge_ratio = [\d.]+/);
    const bad = join(tempDir("wf-walk-"), "bad.walk");
    writeFileSync(bad, '.1.3.6.1.2.1.1.5.0 = STRING: "ok"\nthis is not a walk\n');
    const refused = await profileTest(bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.walk: line 2: expected snmpwalk -On output/);
    const unknown = await profileTest(join(OWN, "watchfloor-ups.snmprec"), "--profile", "no-such-profile");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown profile no-such-profile");
  });
});
