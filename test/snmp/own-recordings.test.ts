import { join } from "node:path";
import { skipWithout } from "../harness/peer-gate.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { type OnceLine, readingsOf, runOnce, snmpDevice } from "./agent-once.ts";

/**
 * The project's own recordings (test/snmp/recordings, values chosen here) through snmpsim: these run
 * wherever snmpsim is installed, with or without the LibreNMS recordings.
 */
const OWN = join(import.meta.dirname, "recordings");
const missing = snmpsimMissing(OWN);
const skip = skipWithout(missing, "Watchfloor's own UPS recordings");

describe.skipIf(skip)("Watchfloor's own UPS recordings", () => {
  let sim: Snmpsim;
  let lines: Map<string, OnceLine>;

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
    const at = `127.0.0.1:${sim.port}`;
    lines = (
      await runOnce([
        snmpDevice("rfc1628", at, "ups-mib", { community: "watchfloor-ups" }, "ups"),
        snmpDevice("apc", at, "apc-powernet-ups", { community: "watchfloor-apc-ups", version: "1" }, "ups"),
      ])
    ).lines;
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
  });

  const value = (device: string, name: string, labels: Record<string, string> = {}) =>
    readingsOf(lines.get(device), name, labels).map((r) => r.value);

  it.each([
    ["rfc1628", "ups_battery_charge_ratio", {}, 1],
    ["rfc1628", "ups_battery_runtime_seconds", {}, 2700],
    ["rfc1628", "ups_battery_voltage_volts", {}, 54.5],
    ["rfc1628", "ups_input_voltage_volts", { line: "1" }, 230],
    ["rfc1628", "ups_input_frequency_hertz", { line: "1" }, 50],
    ["rfc1628", "ups_output_load_ratio", { line: "1" }, 0.38],
    ["rfc1628", "ups_output_current_amperes", { line: "1" }, 5.2],
    ["rfc1628", "ups_output_source", { source: "normal" }, 1],
    ["rfc1628", "ups_on_battery", {}, 0],
    ["apc", "ups_battery_charge_ratio", {}, 1],
    ["apc", "ups_battery_runtime_seconds", {}, 5400],
    ["apc", "ups_battery_temperature_celsius", {}, 25],
    ["apc", "ups_input_voltage_volts", { line: "1" }, 230],
    ["apc", "ups_output_load_ratio", { line: "1" }, 0.38],
    ["apc", "ups_output_source", { source: "normal" }, 1],
    ["apc", "ups_battery_status", { status: "normal" }, 1],
  ])("%s %s%j = %d", (device, name, labels, want) => {
    expect(value(device, name, labels)).toEqual([want]);
  });

  it("reads the SNMPv1 device without a single reading error", () => {
    expect(lines.get("apc")?.readingErrors ?? []).toEqual([]);
    expect(lines.get("rfc1628")?.readingErrors ?? []).toEqual([]);
  });
});
