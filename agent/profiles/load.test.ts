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

describe("label names", () => {
  // Each would reach /metrics as is, and one such line makes Prometheus (and promtool check metrics)
  // refuse the agent's whole page: every device's readings with it.
  const snmp = (reading: string) => ({ "p.yaml": `id: p\norigin: t\ndriver: snmp\nreadings:\n  - ${reading}\n` });
  it.each([
    [
      "a fixed label with a space",
      snmp(`{ name: ups_battery_voltage_volts, labels: { "battery string": "1" }, source: { get: 1.3.6.1.2.1.33.1.2.5.0 } }`),
      /p\.yaml.*readings\[0\]\.labels.*battery string.*expected a Prometheus label name/,
    ],
    [
      "a walk's derived label with a dash",
      snmp(`{ name: ups_input_voltage_volts, source: { walk: 1.3.6.1.2.1.33.1.3.3.1.3, labels: { line-no: index } } }`),
      /p\.yaml:\d+:\d+: readings\[0\]\.source\.labels\.line-no: expected a Prometheus label name.*\(got "line-no"\)/,
    ],
    [
      "a state label starting with a digit",
      snmp(`{ name: ups_output_source, source: { get: 1.3.6.1.2.1.33.1.4.1.0 }, states: { label: 1source, map: { "3": normal } } }`),
      /readings\[0\]\.states\.label: expected a Prometheus label name/,
    ],
    [
      "device, which the agent adds itself",
      snmp(`{ name: sensor_temperature_celsius, source: { walk: 1.3.6.1.2.1.99.1.1.1.4, labels: { device: index } } }`),
      /readings\[0\]\.source\.labels\.device: .*not device/,
    ],
  ])("refuses %s, naming file, YAML path and the rule", (_what, files, pattern) => {
    const { errors } = loadProfiles(folder(files));
    expect(errors.map((e) => `${e.file}${e.line ? `:${e.line}:${e.column}` : ""}: ${e.path}: ${e.message}`).join("\n")).toMatch(pattern);
  });

  it("accepts every shipped profile's labels", () => {
    const { errors } = loadProfiles(join(import.meta.dirname, "../../config/profiles"));
    expect(errors).toEqual([]);
  });
});
