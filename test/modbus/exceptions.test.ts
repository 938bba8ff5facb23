import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES } from "./cases.ts";
import { type Peer, profilePath, runOnce, seriesKey, startDevice } from "./peers.ts";

const apc = CASES.find((c) => c.profile === "apc-smart-ups-modbus")!;
const generic = CASES.find((c) => c.profile === "generic-ups-modbus")!;
// The APC unit without register 135 (battery temperature): reading it is an illegal data address.
const { "135": _dropped, ...apcHolding } = apc.unit.holding!;

describe("Modbus exception responses become per-reading errors (pymodbus over TCP)", () => {
  let device: Peer;
  beforeAll(async () => {
    device = await startDevice({
      transport: "tcp",
      units: {
        "1": { holding: apcHolding },
        // A device that refuses reads longer than 4 registers (exception 2), as many small controllers do.
        "2": { ...generic.unit, maxRead: 4 },
      },
    });
  });
  afterAll(() => device?.stop());

  it("names the register, and every other reading still arrives", async () => {
    const base = { class: "ups", driver: "modbus", address: `127.0.0.1:${device.where}` };
    const { lines, stderr } = await runOnce(
      [profilePath("apc-smart-ups-modbus"), profilePath("generic-ups-modbus")],
      [
        // A wide gap makes the agent read 128..151 in one request across the map's holes: the device refuses,
        // the agent falls back to one read per value, and only register 135 stays an error.
        {
          ...base,
          id: "apc",
          name: "apc",
          profile: "apc-smart-ups-modbus",
          options: { unitId: 1, maxGap: 30 },
        },
        { ...base, id: "small", name: "small", profile: "generic-ups-modbus", options: { unitId: 2 } },
      ],
    );
    expect(lines.length, stderr).toBe(2);
    const line = lines.find((l) => l.device === "apc")!;
    expect(line.up).toBe(true);
    expect(line.readingErrors).toHaveLength(1);
    expect(line.readingErrors![0]!.reading).toBe("ups_battery_temperature_celsius");
    expect(line.readingErrors![0]!.error).toMatch(
      /holding register 135 \(unit 1\): Modbus exception 2 \(illegal data address\)/,
    );
    const readings = new Map(line.readings.map((r) => [seriesKey(r.name, r.labels), r.value]));
    expect(readings.has("ups_battery_temperature_celsius")).toBe(false);
    for (const [key, value] of Object.entries(apc.readings))
      if (key !== "ups_battery_temperature_celsius") expect(readings.get(key), key).toBe(value);

    const small = lines.find((l) => l.device === "small")!;
    expect(small.up).toBe(true);
    expect(small.readingErrors ?? []).toEqual([]);
    const smallReadings = new Map(small.readings.map((r) => [seriesKey(r.name, r.labels), r.value]));
    for (const [key, value] of Object.entries(generic.readings))
      expect(smallReadings.get(key), key).toBe(value);
  });
});
