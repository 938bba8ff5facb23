import { join } from "node:path";
import { skipWithout } from "../harness/peer-gate.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { until } from "../harness/process.ts";
import { V3_USER } from "../peers/snmpd.ts";
import { freeUdpPort, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { linkDownTrapV3, upsOnBatteryTrapV2c } from "../peers/snmptrap.ts";

/** Debian's snmptrap → the agent's trap receiver → the real collector's fault list. */
const OWN = join(import.meta.dirname, "..", "snmp", "recordings");
const missing = snmpsimMissing(OWN);
const skip = skipWithout(missing, "trap → collector");

type Faults = {
  faults: Array<{ device: string; condition: string; labels: Record<string, string>; opened_at: string }>;
};

describe.skipIf(skip)("SNMP traps reach the collector as faults in under a second", () => {
  let sim: Snmpsim;
  let floor: Floor;
  let trapPort = 0;

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
    trapPort = await freeUdpPort();
    const at = `127.0.0.1:${sim.port}`;
    floor = new Floor({
      agentExtra: `  traps: { listen: "127.0.0.1:${trapPort}" }`,
      devices: [
        `  - { id: ups-9, name: UPS, class: ups, zone: server-room, driver: snmp, address: "${at}", profile: ups-mib, interval: 1h, options: { community: watchfloor-ups } }`,
        `  - { id: sw-3, name: switch, class: network, zone: server-room, driver: snmp, address: "${at}", profile: if-mib, interval: 1h, ports: { names: [eth1] }, options: { version: "3", timeoutMs: 300, retries: 0, v3: ${JSON.stringify(V3_USER)} } }`,
      ].join("\n"),
    });
    await floor.startCollector();
    await floor.startAgent();
    await floor.agent!.waitFor(/SNMP trap receiver listening/);
  }, 60_000);

  afterAll(async () => {
    await floor?.stop();
    await sim?.stop();
  });

  const faultAt = (pred: (f: Faults["faults"][number]) => boolean) =>
    until(
      "fault in GET /api/v1/faults",
      async () => (await floor.api<Faults>("/api/v1/faults")).body.faults.find(pred),
      3000,
      20,
    );

  it("v2c upsTrapOnBattery opens ups.on_battery", async () => {
    const t0 = Date.now();
    await upsOnBatteryTrapV2c(trapPort, "watchfloor-ups");
    const fault = await faultAt((f) => f.device === "ups-9" && f.condition === "ups.on_battery");
    const seenMs = Date.now() - t0;
    console.log(`v2c trap → collector fault: ${seenMs} ms`);
    expect(seenMs).toBeLessThan(1000);
    expect(Math.abs(Date.parse(fault.opened_at) - t0)).toBeLessThan(1000);
  });

  it("v3 authPriv linkDown opens if.down for the monitored interface named in the trap", async () => {
    const t0 = Date.now();
    await linkDownTrapV3(trapPort, 2, "eth1");
    const fault = await faultAt((f) => f.device === "sw-3" && f.condition === "if.down");
    const seenMs = Date.now() - t0;
    console.log(`v3 trap → collector fault: ${seenMs} ms`);
    expect(seenMs).toBeLessThan(1000);
    expect(fault.labels).toEqual({ ifname: "eth1" });
  });
});
