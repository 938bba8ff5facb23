import { describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { until } from "../harness/process.ts";
import { trapFloorMissing, useTrapFloor } from "../harness/trap-floor.ts";
import { linkDownTrapV3, upsOnBatteryTrapV2c } from "../peers/snmptrap.ts";

/**
 * The devices here poll hourly, so a condition that arrives within seconds can only have come through
 * the trap path. The latency itself is a benchmark figure (`npm run bench:paging`), printed here and
 * not asserted tightly: a loaded CI machine must not fail a correct build.
 */
const TRAP_PATH_MS = 10_000;

/** Debian's snmptrap → the agent's trap receiver → the real collector's fault list. */
const skip = skipWithout(trapFloorMissing(), "trap → collector");

type Faults = {
  faults: Array<{ device: string; condition: string; labels: Record<string, string>; opened_at: string }>;
};

describe.skipIf(skip)("SNMP traps reach the collector as faults in under a second", () => {
  const env = useTrapFloor();

  const faultAt = (pred: (f: Faults["faults"][number]) => boolean) =>
    until(
      "fault in GET /api/v1/faults",
      async () => (await env.floor.api<Faults>("/api/v1/faults")).body.faults.find(pred),
      3000,
      20,
    );

  it("v2c upsTrapOnBattery opens ups.on_battery", async () => {
    const t0 = Date.now();
    await upsOnBatteryTrapV2c(env.trapPort, "watchfloor-ups");
    const fault = await faultAt((f) => f.device === "ups-9" && f.condition === "ups.on_battery");
    const seenMs = Date.now() - t0;
    console.log(`v2c trap → collector fault: ${seenMs} ms`);
    expect(seenMs).toBeLessThan(TRAP_PATH_MS);
    expect(Math.abs(Date.parse(fault.opened_at) - t0)).toBeLessThan(TRAP_PATH_MS);
  });

  it("v3 authPriv linkDown opens if.down for the monitored interface named in the trap", async () => {
    const t0 = Date.now();
    await linkDownTrapV3(env.trapPort, 2, "eth1");
    const fault = await faultAt((f) => f.device === "sw-3" && f.condition === "if.down");
    const seenMs = Date.now() - t0;
    console.log(`v3 trap → collector fault: ${seenMs} ms`);
    expect(seenMs).toBeLessThan(TRAP_PATH_MS);
    expect(fault.labels).toEqual({ ifname: "eth1" });
  });
});
