import { describe, expect, it } from "vitest";
import { type Profile, profileSchema } from "../../profiles/schema.ts";
import { chooseProfile, composeFor, composeLoaded, reprobeReason } from "./auto.ts";

const profile = (id: string, detect: unknown): Profile =>
  profileSchema.parse({
    id,
    origin: "test",
    driver: "snmp",
    detect,
    readings: [{ name: "device_up", source: {} }],
  });

const PROFILES = [
  profile("if-mib", { probe: ["1.3.6.1.2.1.2.2.1.1"] }),
  profile("ups-mib", { probe: ["1.3.6.1.2.1.33.1.2.1"], priority: 10 }),
  profile("eaton", { sysObjectID: ["1.3.6.1.4.1.534", "1.3.6.1.4.1.705"], probe: ["1.3.6.1.2.1.33.1.2.1"] }),
  profile("huawei", { sysObjectID: ["1.3.6.1.4.1.2011"] }),
  profile("huawei-vrp", { sysObjectID: ["1.3.6.1.4.1.2011.2"] }),
  profile("manual", undefined),
];
const pick = (sysObjectID: string | undefined, answered: string[]) =>
  chooseProfile({ sysObjectID, answered: new Set(answered) }, PROFILES)?.id;

describe("chooseProfile", () => {
  it.each([
    ["a vendor prefix, longest first", ".1.3.6.1.4.1.2011.2.23.95", ["1.3.6.1.2.1.2.2.1.1"], "huawei-vrp"],
    ["a vendor prefix that also needs a probe", "1.3.6.1.4.1.705.1", ["1.3.6.1.2.1.33.1.2.1"], "eaton"],
    ["the vendor's probe missing: the generic MIB", "1.3.6.1.4.1.705.1", ["1.3.6.1.2.1.2.2.1.1"], "if-mib"],
    [
      "probes only: the higher priority",
      "1.3.6.1.2.1.33",
      ["1.3.6.1.2.1.33.1.2.1", "1.3.6.1.2.1.2.2.1.1"],
      "ups-mib",
    ],
    ["nothing answers", "1.3.6.1.4.1.9", [], undefined],
  ])("%s", (_, sysObjectID, answered, want) => {
    expect(pick(sysObjectID, answered)).toBe(want);
  });
});

describe("profile: auto composes a vendor profile with every standard MIB that answers", () => {
  const std = (
    id: string,
    probe: string,
    priority: number,
    readings: string[],
    include: string[] = [],
  ): Profile =>
    profileSchema.parse({
      id,
      origin: "test",
      driver: "snmp",
      include,
      detect: { probe: [probe], priority, standard: true },
      readings: readings.map((name) => ({
        name,
        source: { get: `1.3.6.1.2.1.${id.length}.${name.length}.0` },
      })),
    });
  const IF = "1.3.6.1.2.1.2.2.1.1";
  const HR = "1.3.6.1.2.1.25.2.3.1.2";
  const UPS = "1.3.6.1.2.1.33.1.2.1";
  const ifMib = std("if-mib", IF, 0, ["if_oper_up", "system_uptime_seconds"]);
  const hr = std("host-resources", HR, 5, ["cpu_utilization_ratio", "memory_utilization_ratio"], ["if-mib"]);
  const upsMib = std("ups-mib", UPS, 10, ["ups_battery_charge_ratio"]);
  const vendor = profileSchema.parse({
    id: "vendor-switch",
    origin: "test",
    driver: "snmp",
    include: ["if-mib"],
    detect: { sysObjectID: ["1.3.6.1.4.1.99"] },
    readings: [{ name: "cpu_utilization_ratio", source: { get: "1.3.6.1.4.1.99.1.0" } }],
  });
  const all = [ifMib, hr, upsMib, vendor];
  // What load.ts would hand over: each profile with its includes expanded (readings of the included first).
  const loaded = new Map(
    all.map((p) => {
      const parts = [...p.include.map((id) => all.find((x) => x.id === id)!), p];
      const readings = parts.flatMap((x) => x.readings);
      return [
        p.id,
        { file: `${p.id}.yaml`, profile: { ...p, readings }, sources: readings.map((r) => r.source) },
      ];
    }),
  );
  const compose = (sysObjectID: string | undefined, answered: string[]) =>
    composeLoaded(composeFor({ sysObjectID, answered: new Set(answered) }, all), loaded);

  it("a device with no vendor profile still gets every standard reading", () => {
    const p = compose("1.3.6.1.4.1.8072.3.2.10", [IF, HR])!;
    expect(p.applied).toEqual(["host-resources", "if-mib"]);
    expect(p.profile.readings.map((r) => r.name).sort()).toEqual(
      ["cpu_utilization_ratio", "if_oper_up", "memory_utilization_ratio", "system_uptime_seconds"].sort(),
    );
    expect(p.sources).toHaveLength(p.profile.readings.length);
  });

  it("the vendor's reading of a quantity wins over the standard MIB's; what it lacks is added", () => {
    const p = compose("1.3.6.1.4.1.99.5", [IF, HR])!;
    expect(p.applied).toEqual(["vendor-switch", "if-mib", "host-resources"]);
    const cpu = p.profile.readings.filter((r) => r.name === "cpu_utilization_ratio");
    expect(cpu.map((r) => r.source)).toEqual([{ get: "1.3.6.1.4.1.99.1.0" }]);
    expect(p.profile.readings.filter((r) => r.name === "if_oper_up")).toHaveLength(1);
    expect(p.profile.readings.map((r) => r.name)).toContain("memory_utilization_ratio");
    expect(p.profile.id).toBe("auto:vendor-switch+if-mib+host-resources");
  });

  it("a UPS card gets UPS-MIB and its interfaces", () => {
    expect(compose("1.3.6.1.4.1.2254.2.4", [UPS, IF])!.applied).toEqual(["ups-mib", "if-mib"]);
  });

  it("nothing recognised and nothing answering: no profile", () => {
    expect(compose("1.3.6.1.4.1.5", [])).toBeUndefined();
  });
});

describe("reprobeReason (when profile: auto composes again)", () => {
  const SW = "1.3.6.1.4.1.2011.2.23.95";
  const at = (sysObjectID: string | undefined, sysUpTime: number | undefined, atMs: number) => ({
    sysObjectID,
    sysUpTime,
    at: atMs,
  });
  // TimeTicks are hundredths of a second and wrap at 2^32 (RFC 2578 §7.1.8): 497 days.
  it.each([
    ["the same device, up a second longer", at(SW, 100_000, 0), at(SW, 100_100, 1000), undefined],
    ["a simulator whose sysUpTime stands still", at(SW, 123_456, 0), at(SW, 123_456, 60_000), undefined],
    [
      "another device behind the address",
      at(SW, 100_000, 0),
      at("1.3.6.1.2.1.33", 200_000, 1000),
      "sysobjectid",
    ],
    ["the same OID written with a leading dot", at(SW, 100_000, 0), at(`.${SW}`, 100_100, 1000), undefined],
    ["a restart (sysUpTime back to seconds)", at(SW, 100_000, 0), at(SW, 300, 5000), "restart"],
    ["TimeTicks wrapping after 497 days", at(SW, 4294967000, 0), at(SW, 200, 5000), undefined],
    ["a restart just before the wrap would have come", at(SW, 4294960000, 0), at(SW, 200, 5000), "restart"],
    ["a device never fingerprinted, answering now", undefined, at(SW, 300, 5000), "unprobed"],
    ["no sysObjectID this poll: no evidence", at(SW, 100_000, 0), at(undefined, 5, 1000), undefined],
  ])("%s", (_, prev, now, expected) => {
    expect(reprobeReason(prev, now)).toBe(expected);
  });
});
