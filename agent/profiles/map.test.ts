import { describe, expect, it } from "vitest";
import { mapReadings } from "./map.ts";
import { type ProfileReading, profileReadingSchema } from "./schema.ts";

const spec = (s: Record<string, unknown>): ProfileReading => profileReadingSchema.parse({ source: {}, ...s });

describe("profile mapping (raw → canonical readings)", () => {
  it("scales and offsets, without float noise", () => {
    const { readings } = mapReadings(
      [spec({ name: "ups_input_voltage_volts", labels: { line: "1" }, scale: 0.1 })],
      [{ ok: true, samples: [{ value: 2301 }] }],
    );
    expect(readings).toEqual([{ name: "ups_input_voltage_volts", labels: { line: "1" }, value: 230.1 }]);
  });

  it("maps enums, with a default", () => {
    const s = spec({ name: "ups_on_battery", map: { "2": 1 }, mapDefault: 0 });
    expect(
      mapReadings(
        [s, s],
        [
          { ok: true, samples: [{ value: 2 }] },
          { ok: true, samples: [{ value: 1 }] },
        ],
      ).readings.map((r) => r.value),
    ).toEqual([1, 0]);
  });

  it("an enum value outside the map without default is a reading error, not a guess", () => {
    const { readings, errors } = mapReadings(
      [spec({ name: "ac_running", map: { "1": 1 } })],
      [{ ok: true, samples: [{ value: 7 }] }],
    );
    expect(readings).toEqual([]);
    expect(errors[0]!.error).toContain("raw value 7 is not in the profile's map");
  });

  it("expands a state set into one series per state", () => {
    const s = spec({
      name: "ups_output_source",
      states: { label: "source", map: { "1": "normal", "2": "battery" } },
    });
    const { readings } = mapReadings([s], [{ ok: true, samples: [{ value: 2 }] }]);
    expect(readings).toEqual([
      { name: "ups_output_source", labels: { source: "normal" }, value: 0 },
      { name: "ups_output_source", labels: { source: "battery" }, value: 1 },
      { name: "ups_output_source", labels: { source: "other" }, value: 0 },
    ]);
  });

  it("takes one bit of a bitfield", () => {
    const s = (bit: number) => spec({ name: "ups_alarm_active", bit });
    const read = { ok: true as const, samples: [{ value: 0b1010 }] };
    expect(mapReadings([s(0), s(1), s(3)], [read, read, read]).readings.map((r) => r.value)).toEqual([
      0, 1, 1,
    ]);
  });

  it("keeps per-row labels from table reads and passes driver errors through", () => {
    const { readings, errors } = mapReadings(
      [
        spec({ name: "if_oper_up", map: { "1": 1, "2": 0 } }),
        spec({ name: "cpu_utilization_ratio", scale: 0.01 }),
      ],
      [
        {
          ok: true,
          samples: [
            { labels: { ifname: "Gi0/1" }, value: 1 },
            { labels: { ifname: "Gi0/2" }, value: 2 },
          ],
        },
        { ok: false, error: "OID .1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5: noSuchObject" },
      ],
    );
    expect(readings.map((r) => [r.labels.ifname, r.value])).toEqual([
      ["Gi0/1", 1],
      ["Gi0/2", 0],
    ]);
    expect(errors).toEqual([
      { reading: "cpu_utilization_ratio", error: "OID .1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5: noSuchObject" },
    ]);
  });

  it("converts optical power from µW to dBm after the scale; no light (0 or less) is no reading", () => {
    // Reference points of the dBm scale itself: 1 mW = 0 dBm, 0.1 mW = -10 dBm, 2 mW ≈ 3.0103 dBm.
    const s = spec({ name: "transceiver_rx_power_dbm", scale: 0.001, convert: "milliwatts_to_dbm" });
    const samples = [1000, 100, 2000, 0, -5].map((value) => ({ labels: { port: String(value) }, value }));
    const { readings, errors } = mapReadings([s], [{ ok: true, samples }]);
    expect(readings.map((r) => [r.labels.port, r.value])).toEqual([
      ["1000", 0],
      ["100", -10],
      ["2000", 3.01029995664],
    ]);
    expect(errors).toEqual([]);
    expect(() => spec({ name: "transceiver_rx_power_dbm", convert: "watts_to_dbm" })).toThrow();
  });

  it("rejects a non-numeric raw value with the value in the error", () => {
    expect(
      mapReadings([spec({ name: "ups_battery_voltage_volts" })], [{ ok: true, samples: [{ value: "n/a" }] }])
        .errors[0]!.error,
    ).toContain('"n/a"');
  });

  it("passes an unscaled counter past 10^12 through exactly (a 64-bit octet count is not rounded)", () => {
    // 1 234 567 890 123 456 octets: 16 significant digits, exact as a double (< 2^53).
    const { readings } = mapReadings(
      [spec({ name: "if_in_octets_total" })],
      [{ ok: true, samples: [{ value: 1234567890123456n }] }],
    );
    expect(readings[0]!.value).toBe(1234567890123456);
  });
});
