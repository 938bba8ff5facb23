/**
 * With CI=true no suite may be skipped: a missing peer must fail (test/harness/peer-gate.ts), and no test
 * file may skip by any other means. This reads every test file and fails on a skip that bypasses the gate.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { inCI, peerDecision } from "./harness/peer-gate.ts";

const ROOT = join(import.meta.dirname, "..");

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

describe("no silent skips", () => {
  it("every skip in a test file goes through the peer gate", () => {
    const offenders: string[] = [];
    for (const file of ["agent", "collector", "common", "test"].flatMap((d) => testFiles(join(ROOT, d)))) {
      const text = readFileSync(file, "utf8");
      const where = (index: number) => `${relative(ROOT, file)}:${text.slice(0, index).split("\n").length}`;
      for (const m of text.matchAll(/\.(skip|todo|runIf)\s*\(|ctx\.skip\(/g))
        offenders.push(`${where(m.index)}: ${m[0]} (a skip that bypasses the peer gate)`);
      // skipIf is allowed only on the peer gate's answer: skipIf(skipWithout(…)) or a const assigned from it.
      for (const m of text.matchAll(/\.skipIf\s*\(\s*([A-Za-z_$][\w$]*)?/g)) {
        const id = m[1];
        const gated = id
          ? id === "skipWithout" || new RegExp(`const ${id}\\s*=\\s*skipWithout\\(`).test(text)
          : false;
        if (!gated) offenders.push(`${where(m.index)}: skipIf(${id ?? "…"}) is not the peer gate's answer`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("with CI=true a missing peer fails instead of skipping", () => {
    expect(inCI({ CI: "true" })).toBe(true);
    expect(inCI({ CI: "false" })).toBe(false);
    expect(inCI({})).toBe(false);
    expect(peerDecision("snmpsimd is not installed", true)).toBe("fail");
    expect(peerDecision("snmpsimd is not installed", false)).toBe("skip");
    expect(peerDecision(undefined, true)).toBe("run");
  });

  it("this run, under CI, has every peer the suites ask for", () => {
    if (!inCI()) return;
    const missing = [
      "/usr/bin/chromium",
      "/usr/bin/snmpsimd",
      "/usr/sbin/snmpd",
      "/usr/bin/snmptrap",
      "/usr/bin/promtool",
      "/usr/bin/mbpoll",
      "/usr/bin/socat",
      "/usr/sbin/nginx",
      "/usr/bin/openssl",
      "/usr/bin/systemd-analyze",
      "/usr/sbin/logrotate",
    ].filter((p) => !existsSync(p));
    expect(missing).toEqual([]);
    // Debian's pymodbus server imports serial; without python3-serial every Modbus peer dies at start.
    const py = spawnSync(
      "/usr/bin/python3",
      ["-c", "import pymodbus, pymodbus.server, serial, serial_asyncio, pysnmp"],
      { encoding: "utf8" },
    );
    expect(py.stderr).toBe("");
    expect(py.status).toBe(0);
  });
});
