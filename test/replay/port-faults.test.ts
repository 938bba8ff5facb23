import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { node, ROOT, tempDir } from "../harness/process.ts";

/**
 * Port faults that matter (issue 16): seat PCs switched off overnight take their access ports down.
 * Expected figures from the contract: a severe fault must be resolved in under 2 h; a port down
 * 18:00–08:30 breaches; 1 met of 3 is 33 %, and a missed KPI costs 1 % of ¥6,468,000 = ¥64,680.
 */
const SCENARIO = join(ROOT, "config/scenarios/seat-ports-overnight.jsonl");
const SWITCH = `{ id: sw-floor-1, name: 坐席区接入交换机-1, class: network, criticality: medium, driver: snmp, address: "127.0.0.1:1", profile: if-mib`;

interface Result {
  faults: Array<{ condition: string; labels: Record<string, string>; class: string; sla: string }>;
  kpi: { total: number; met: number; breached: number; timeliness: number; deduction_cny: number };
}

async function replayWith(devices: string): Promise<Result> {
  const dir = tempDir("wf-ports-");
  const site = join(dir, "site.yaml");
  writeFileSync(site, `site: { name: ports }\ndevices:\n  - ${devices}\n`);
  const p = node("watchfloor.mjs", ["replay", SCENARIO, "--quarter", "2026Q1", "--config", site]);
  const code = await new Promise<number | null>((r) => p.child.once("exit", r));
  expect(code, p.output).toBe(0);
  return JSON.parse(p.output) as Result;
}

describe("watchfloor replay: which ports open if.down", () => {
  it("default config: seat ports down overnight open no fault; the uplink down opens one (severe, met)", async () => {
    const r = await replayWith(`${SWITCH} }`);
    expect(r.faults.map((f) => [f.condition, f.labels.ifname, f.class, f.sla])).toEqual([
      ["if.down", "XGigabitEthernet0/0/1", "severe", "met"],
    ]);
    expect(r.kpi).toMatchObject({ total: 1, met: 1, breached: 0, timeliness: 1, deduction_cny: 0 });
  });

  it("every port with admin up monitored: the two seat ports breach 2 h and cost the deduction (33 %)", async () => {
    const r = await replayWith(`${SWITCH}, ports: { adminUp: true } }`);
    expect(r.faults.map((f) => [f.labels.ifname, f.sla])).toEqual([
      ["GigabitEthernet0/0/5", "breached"],
      ["GigabitEthernet0/0/6", "breached"],
      ["XGigabitEthernet0/0/1", "met"],
    ]);
    expect(r.kpi).toMatchObject({ total: 3, met: 1, breached: 2, deduction_cny: 64680 });
    expect(r.kpi.timeliness).toBeCloseTo(1 / 3, 6);
  });

  it("a port named in the config is monitored, the uplinks still are; uplinks: false leaves only the named", async () => {
    const named = await replayWith(`${SWITCH}, ports: { names: [GigabitEthernet0/0/6] } }`);
    expect(named.faults.map((f) => f.labels.ifname)).toEqual(["GigabitEthernet0/0/6", "XGigabitEthernet0/0/1"]);
    const only = await replayWith(`${SWITCH}, ports: { uplinks: false, alias: "^seat-05" } }`);
    expect(only.faults.map((f) => f.labels.ifname)).toEqual(["GigabitEthernet0/0/5"]);
  });

  it("a malformed port line is an error naming its line", async () => {
    const dir = tempDir("wf-ports-");
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `# comment\n{"type":"port","at":"2026-03-02T18:00:00+08:00","device":"sw","ifname":"ge1","oper":"sideways"}\n`);
    const p = node("watchfloor.mjs", ["replay", bad, "--quarter", "2026Q1"]);
    const code = await new Promise<number | null>((r) => p.child.once("exit", r));
    expect(code).toBe(2);
    expect(p.output).toMatch(/bad\.jsonl:2: oper: /);
  });
});
