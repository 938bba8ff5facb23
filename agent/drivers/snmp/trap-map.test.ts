import { describe, expect, it } from "vitest";
import { profileTrapSchema } from "../../profiles/schema.ts";
import { type Trap, trapAction, v1TrapOid, v2TrapOid } from "./trap-map.ts";

const trap = (oid: string, varbinds: [string, string][] = []): Trap => ({
  oid,
  varbinds: varbinds.map(([o, value]) => ({ oid: o, value })),
});

describe("trapAction", () => {
  it.each<[string, Trap, object]>([
    [
      "upsTrapOnBattery",
      trap("1.3.6.1.2.1.33.2.1"),
      { condition: "ups.on_battery", state: "firing", labels: {} },
    ],
    [
      "upsTrapAlarmEntryAdded (low battery)",
      trap("1.3.6.1.2.1.33.2.3", [["1.3.6.1.2.1.33.1.6.2.1.2.7", "1.3.6.1.2.1.33.1.6.3.3"]]),
      { condition: "ups.battery_low", state: "firing" },
    ],
    [
      "upsTrapAlarmEntryRemoved (on battery)",
      trap("1.3.6.1.2.1.33.2.4", [["1.3.6.1.2.1.33.1.6.2.1.2.7", "1.3.6.1.2.1.33.1.6.3.2"]]),
      { condition: "ups.on_battery", state: "clear" },
    ],
    [
      "upsTrapAlarmEntryAdded (other alarm)",
      trap("1.3.6.1.2.1.33.2.3", [["1.3.6.1.2.1.33.1.6.2.1.2.7", "1.3.6.1.2.1.33.1.6.3.11"]]),
      { condition: "ups.alarm", state: "firing", labels: { alarm: "1.3.6.1.2.1.33.1.6.3.11" } },
    ],
    [
      "linkDown with ifName",
      trap("1.3.6.1.6.3.1.1.5.3", [["1.3.6.1.2.1.31.1.1.1.1.3", "Gi0/3"]]),
      { condition: "if.down", state: "firing", labels: { ifname: "Gi0/3", ifindex: "3" } },
    ],
    [
      "linkUp with ifIndex only",
      trap("1.3.6.1.6.3.1.1.5.4", [["1.3.6.1.2.1.2.2.1.1.3", "3"]]),
      { condition: "if.down", state: "clear", labels: { ifname: "ifIndex 3", ifindex: "3" } },
    ],
    [
      "linkDown with RFC 2863's varbinds only (the index from the OIDs)",
      trap("1.3.6.1.6.3.1.1.5.3", [
        ["1.3.6.1.2.1.2.2.1.7.12", "1"],
        ["1.3.6.1.2.1.2.2.1.8.12", "2"],
      ]),
      { condition: "if.down", state: "firing", labels: { ifname: "ifIndex 12", ifindex: "12" } },
    ],
    [
      "linkDown with ifDescr keeps the index to match the polled ifName",
      trap("1.3.6.1.6.3.1.1.5.3", [["1.3.6.1.2.1.2.2.1.2.7", "GigabitEthernet0/0/7"]]),
      { condition: "if.down", state: "firing", labels: { ifname: "GigabitEthernet0/0/7", ifindex: "7" } },
    ],
  ])("%s", (_, t, want) => {
    expect(trapAction(t)).toMatchObject({ kind: "condition", ...want });
  });

  it("polls on coldStart and calls anything else unknown", () => {
    expect(trapAction(trap("1.3.6.1.6.3.1.1.5.1"))).toEqual({ kind: "poll" });
    expect(trapAction(trap("1.3.6.1.4.1.99999.0.1"))).toEqual({ kind: "unknown" });
  });

  it("applies a profile's vendor trap, with labels from its varbinds", () => {
    const apcOnBattery = profileTrapSchema.parse({
      oid: "1.3.6.1.4.1.318.0.5",
      condition: "ups.on_battery",
      labels: { why: "1.3.6.1.4.1.318.2.3.1" },
    });
    expect(
      trapAction(trap("1.3.6.1.4.1.318.0.5", [["1.3.6.1.4.1.318.2.3.1.0", "mains lost"]]), [apcOnBattery]),
    ).toEqual({
      kind: "condition",
      condition: "ups.on_battery",
      state: "firing",
      labels: { why: "mains lost" },
      title: undefined,
      class: undefined,
    });
  });
});

describe("trap OIDs", () => {
  it("maps v1 generic and enterprise-specific traps as RFC 3584 says", () => {
    expect(v1TrapOid("1.3.6.1.4.1.318", 2, 0)).toBe("1.3.6.1.6.3.1.1.5.3");
    expect(v1TrapOid(".1.3.6.1.4.1.318", 6, 5)).toBe("1.3.6.1.4.1.318.0.5");
  });
  it("reads snmpTrapOID.0 of a v2 trap", () => {
    expect(
      v2TrapOid([
        { oid: "1.3.6.1.2.1.1.3.0", value: "5" },
        { oid: "1.3.6.1.6.3.1.1.4.1.0", value: "1.3.6.1.2.1.33.2.1" },
      ]),
    ).toBe("1.3.6.1.2.1.33.2.1");
  });
});
