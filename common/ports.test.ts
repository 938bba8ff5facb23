import { describe, expect, it } from "vitest";
import { isMonitoredPort, isUplink, type PortFacts, portSelectionSchema } from "./ports.ts";

const defaults = portSelectionSchema.parse(undefined);

describe("port selection: which ports open if.down", () => {
  // Port names as Huawei VRP, Cisco IOS, H3C Comware, Juniper and Linux print them; descriptions as
  // engineers on the floor write them.
  it.each<[PortFacts, boolean]>([
    [{ ifname: "Eth-Trunk1" }, true],
    [{ ifname: "Port-channel10" }, true],
    [{ ifname: "Po2" }, true],
    [{ ifname: "Bridge-Aggregation1" }, true],
    [{ ifname: "ae0" }, true],
    [{ ifname: "bond0" }, true],
    [{ ifname: "XGigabitEthernet0/0/1", ifalias: "uplink to core-sw" }, true],
    [{ ifname: "Gi1/0/48", ifalias: "Uplink_to_Core" }, true],
    [{ ifname: "Gi1/0/47", ifalias: "TO-AGG-01" }, true],
    [{ ifname: "GE0/0/24", ifalias: "上联核心交换机" }, true],
    [{ ifname: "GE0/0/23", ifalias: "WAN" }, true],
    [{ ifname: "GigabitEthernet0/0/5", ifalias: "seat-05 wang.li" }, false],
    [{ ifname: "GigabitEthernet0/0/6", ifalias: "score board" }, false],
    [{ ifname: "GigabitEthernet0/0/7" }, false],
    [{ ifname: "Power0/1", ifalias: "" }, false],
  ])("%o is an uplink: %s", (port, expected) => {
    expect(isUplink(port)).toBe(expected);
  });

  it("default: the uplinks, not the seat ports", () => {
    expect(isMonitoredPort(defaults, { ifname: "Eth-Trunk1", adminUp: true })).toBe(true);
    expect(isMonitoredPort(defaults, { ifname: "GE0/0/5", ifalias: "seat-05", adminUp: true })).toBe(false);
  });

  it("a port shut down by an administrator is never a fault, even named", () => {
    const sel = portSelectionSchema.parse({ names: ["GE0/0/7"] });
    expect(isMonitoredPort(sel, { ifname: "GE0/0/7", adminUp: false })).toBe(false);
    expect(isMonitoredPort(sel, { ifname: "GE0/0/7", adminUp: true })).toBe(true);
    expect(isMonitoredPort(sel, { ifname: "GE0/0/7" })).toBe(true);
  });

  it("by ifAlias pattern (case-insensitive) and all with admin up", () => {
    const byAlias = portSelectionSchema.parse({ alias: "^server" });
    expect(isMonitoredPort(byAlias, { ifname: "GE0/0/9", ifalias: "SERVER-db1" })).toBe(true);
    expect(isMonitoredPort(byAlias, { ifname: "GE0/0/10", ifalias: "seat-10" })).toBe(false);
    const all = portSelectionSchema.parse({ adminUp: true });
    expect(isMonitoredPort(all, { ifname: "GE0/0/10", adminUp: true })).toBe(true);
    expect(isMonitoredPort(all, { ifname: "GE0/0/11", adminUp: false })).toBe(false);
  });

  it("rejects unknown keys and a bad pattern", () => {
    expect(portSelectionSchema.safeParse({ uplink: true }).success).toBe(false);
    expect(portSelectionSchema.safeParse({ alias: "(" }).error?.issues[0]?.message).toBe("expected a regular expression");
  });
});
