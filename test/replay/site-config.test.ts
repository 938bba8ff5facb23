import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { node, tempDir } from "../harness/process.ts";

const SCENARIO = [
  { type: "condition", at: "2026-02-01T10:00:05+08:00", device: "seat-sw-1", condition: "device.unreachable", state: "firing" },
  { type: "condition", at: "2026-02-01T10:00:00+08:00", device: "core-sw", condition: "device.unreachable", state: "firing" },
  { type: "tick", at: "2026-02-01T10:20:00+08:00" },
];

const SITE = `site: { name: replay site }
devices:
  - { id: core-sw, name: 核心交换机, class: network, criticality: high, driver: modbus, address: "127.0.0.1:1", profile: generic-ups-modbus }
  - { id: seat-sw-1, name: 坐席交换机1, class: network, driver: modbus, address: "127.0.0.1:1", profile: generic-ups-modbus, dependsOn: [core-sw] }
`;

async function replay(args: string[]) {
  const p = node("watchfloor.mjs", ["replay", ...args]);
  const code = await new Promise<number | null>((r) => p.child.once("exit", r));
  return { code, out: p.output };
}

describe("watchfloor replay --config takes a site config: its devices are the inventory", () => {
  const dir = tempDir();
  const scenario = join(dir, "s.jsonl");
  const site = join(dir, "site.yaml");
  writeFileSync(scenario, SCENARIO.map((l) => JSON.stringify(l)).join("\n"));
  writeFileSync(site, SITE);

  it("with the site, the child folds into its parent's fault and the high-criticality core is major", async () => {
    const { code, out } = await replay([scenario, "--quarter", "2026Q1", "--config", site]);
    expect(code).toBe(0);
    const result = JSON.parse(out) as { faults: Array<{ device: string; class: string; children: string[] }>; kpi: { total: number } };
    expect(result.faults.map((f) => f.device)).toEqual(["core-sw"]);
    expect(result.faults[0]!.class).toBe("major");
    expect(result.faults[0]!.children).toHaveLength(1);
    expect(result.kpi.total).toBe(1);
  });

  it("without it, devices are taken as they come: two faults, no folding", async () => {
    const { code, out } = await replay([scenario, "--quarter", "2026Q1"]);
    expect(code).toBe(0);
    expect((JSON.parse(out) as { faults: unknown[] }).faults).toHaveLength(2);
  });
});
