import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProfiles } from "./load.ts";

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wf-profiles-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const BASE = `id: base
origin: test
driver: modbus
readings:
  - { name: ups_input_voltage_volts, source: { table: holding, address: 0 }, scale: 0.1 }
conditions:
  - { name: ups.on_battery, when: { reading: ups_input_voltage_volts, op: lt, value: 100 } }
`;

describe("profile include", () => {
  it("puts the included profile's readings, sources and conditions first, then the profile's own", () => {
    const dir = folder({
      "base.yaml": BASE,
      "vendor.yaml": `id: vendor\norigin: test\ndriver: modbus\ninclude: [base]\nreadings:\n  - { name: ups_battery_charge_ratio, source: { table: holding, address: 4 }, scale: 0.01 }\n`,
    });
    const { profiles, errors } = loadProfiles(dir);
    expect(errors).toEqual([]);
    const vendor = profiles.get("vendor")!;
    expect(vendor.profile.readings.map((r) => r.name)).toEqual([
      "ups_input_voltage_volts",
      "ups_battery_charge_ratio",
    ]);
    expect(vendor.sources.map((src) => (src as { address: number }).address)).toEqual([0, 4]);
    expect(vendor.profile.conditions.map((c) => c.name)).toEqual(["ups.on_battery"]);
    expect(profiles.get("base")!.profile.readings).toHaveLength(1);
  });

  it.each([
    [
      "an unknown id",
      { "a.yaml": `id: a\norigin: t\ndriver: modbus\ninclude: [nope]\n` },
      /a\.yaml.*include\[0\].*unknown profile nope/,
    ],
    [
      "a cycle",
      {
        "a.yaml": `id: a\norigin: t\ndriver: modbus\ninclude: [b]\n`,
        "b.yaml": `id: b\norigin: t\ndriver: modbus\ninclude: [a]\n`,
      },
      /include cycle: .*a.*b.*a|include cycle: .*b.*a.*b/,
    ],
    [
      "another driver",
      {
        "base.yaml": BASE,
        "s.yaml": `id: s\norigin: t\ndriver: snmp\ninclude: [base]\nreadings:\n  - { name: system_uptime_seconds, source: { get: 1.3.6.1.2.1.1.3.0 } }\n`,
      },
      /include\[0\].*profile base is for driver modbus, this one for snmp/,
    ],
    ["no readings at all", { "e.yaml": `id: e\norigin: t\ndriver: modbus\n` }, /profile e has no readings/],
  ])("refuses %s, naming file and path", (_what, files, pattern) => {
    const { errors } = loadProfiles(folder(files));
    expect(errors.map((e) => `${e.file}: ${e.path}: ${e.message}`).join("\n")).toMatch(pattern);
  });
});
