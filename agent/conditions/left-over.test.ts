import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeLoaded } from "../drivers/snmp/auto.ts";
import { loadProfiles } from "../profiles/load.ts";
import type { ConditionTrack } from "./debounce.ts";
import { leftOverInstances, leftOverReason } from "./left-over.ts";

// The shipped profiles: which conditions each declares is their data (config/profiles/*.yaml).
const { profiles } = loadProfiles(join(import.meta.dirname, "../../config/profiles"));
const get = (id: string) => profiles.get(id)!.profile;
const FIRING: ConditionTrack = { state: "firing", pendingPolls: 0 };
const CLEAR: ConditionTrack = { state: "clear", pendingPolls: 0 };
const inst = (condition: string, track: ConditionTrack, labels: Record<string, string> = {}) =>
  [`ups-1/${condition}/${JSON.stringify(labels)}`, { condition, labels, track }] as [
    string,
    { condition: string; labels: Record<string, string>; track: ConditionTrack },
  ];
const OWN = new Set(["device.unreachable"]);

describe("conditions left over after a re-probe changed the profiles", () => {
  // A UPS card (UPS-MIB) swapped for a Huawei switch: huawei-vrp composed with IF-MIB.
  const switchNow = composeLoaded({ vendor: get("huawei-vrp"), standards: [get("if-mib")] }, profiles)!;
  const before = [
    inst("ups.on_battery", FIRING),
    inst("ups.battery_low", CLEAR),
    inst("device.unreachable", FIRING),
    inst("if.down", FIRING, { ifname: "GE0/0/1" }),
  ];

  it("a firing condition the new profiles no longer declare is cleared; one never firing is left alone", () => {
    expect(leftOverInstances(before, switchNow.profile, OWN).map(([, i]) => i.condition)).toEqual([
      "ups.on_battery",
    ]);
  });

  it("the agent's own device.unreachable and a condition still declared (if.down by IF-MIB) keep their state", () => {
    const kept = leftOverInstances(before, switchNow.profile, OWN).map(([, i]) => i.condition);
    expect(kept).not.toContain("device.unreachable");
    expect(kept).not.toContain("if.down");
  });

  it("a condition the new profiles raise only from a trap is still declared", () => {
    const profile = { conditions: [], traps: [{ condition: "ups.on_battery" }] } as never;
    expect(leftOverInstances(before, profile, OWN).map(([, i]) => i.condition)).toEqual(["if.down"]);
  });

  it("the same profiles again (a restart that changed nothing) leave nothing over", () => {
    expect(leftOverInstances(before.slice(0, 2), get("ups-mib"), OWN)).toEqual([]);
  });

  it("the reason names the cause and old → new profiles", () => {
    expect(leftOverReason("sysobjectid", ["ups-mib"], ["huawei-vrp", "if-mib"])).toBe(
      "device replaced: profile ups-mib → huawei-vrp+if-mib",
    );
    expect(leftOverReason("restart", ["if-mib"], [])).toBe("device restarted: profile if-mib → none");
  });
});
