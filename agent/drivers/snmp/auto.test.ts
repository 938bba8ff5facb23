import { describe, expect, it } from "vitest";
import { type Profile, profileSchema } from "../../profiles/schema.ts";
import { chooseProfile } from "./auto.ts";

const profile = (id: string, detect: unknown): Profile =>
  profileSchema.parse({ id, origin: "test", driver: "snmp", detect, readings: [{ name: "x", source: {} }] });

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
