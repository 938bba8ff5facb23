import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { until } from "../harness/process.ts";

type FaultList = { faults: Array<{ id: string; device: string; condition: string; status: string; opened_at: string; class: string }> };

const INTERVAL_S = 1;

describe("walking skeleton: a UPS that loses mains becomes a fault (pymodbus → agent → collector)", () => {
  const ups = new PymodbusUps();
  let floor: Floor;

  beforeAll(async () => {
    await ups.start();
    floor = new Floor({
      devices: `  - { id: ups-1, name: 机房UPS, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: ${INTERVAL_S}s, options: { timeoutMs: 500 } }`,
    });
    await floor.startCollector();
    await floor.startAgent();
  });

  afterAll(async () => {
    await floor?.stop();
    await ups.stop();
  });

  const onBatteryFaults = async () =>
    (await floor.api<FaultList>("/api/v1/faults")).body.faults.filter((f) => f.device === "ups-1" && f.condition === "ups.on_battery");

  it("opens ups.on_battery within one poll interval plus one second of the cut, and resolves on restore", async () => {
    // Let the agent poll the healthy UPS first: no fault.
    await until("first poll", async () => (await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text())).includes("watchfloor_ups_on_battery"));
    expect(await onBatteryFaults()).toEqual([]);

    const cutAt = Date.now();
    await ups.cutMains();
    const [fault] = await until("fault open", async () => {
      const f = await onBatteryFaults();
      return f.length > 0 && f[0]!.status === "open" ? f : undefined;
    }, (INTERVAL_S + 1) * 1000 + 500, 50);
    const seenAfterMs = Date.now() - cutAt;
    expect(seenAfterMs).toBeLessThanOrEqual((INTERVAL_S + 1) * 1000 + 500);
    // Opened at the time the agent observed it (device side), not later than when we saw it.
    const openedAt = Date.parse(fault!.opened_at);
    expect(openedAt).toBeGreaterThanOrEqual(cutAt - 50);
    expect(openedAt).toBeLessThanOrEqual(Date.now());
    expect(fault!.opened_at).toMatch(/\+08:00$/);

    const metrics = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/watchfloor_ups_on_battery\{device="ups-1"\} 1/);
    expect(metrics).toMatch(/watchfloor_ups_output_source\{device="ups-1",source="battery"\} 1/);

    await ups.restoreMains();
    const resolved = await until("fault resolved", async () => {
      const f = (await onBatteryFaults()).find((x) => x.id === fault!.id);
      return f?.status === "resolved" ? f : undefined;
    }, (INTERVAL_S + 1) * 1000 + 1000, 50);
    expect(resolved.id).toBe(fault!.id);
    const collectorMetrics = await fetch(`${floor.collectorUrl}/metrics`).then((r) => r.text());
    expect(collectorMetrics).toMatch(/watchfloor_faults_open\{class="severe"\} 0/);
  });

  it("never writes the agent token or a user token to either log", () => {
    const logs = floor.agent!.output + floor.collector!.output;
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(floor.env.WATCHFLOOR_AGENT_TOKEN);
    expect(logs).not.toContain(floor.adminToken);
  });

  it("reports the UPS as unreachable when it stops answering", async () => {
    await ups.stop();
    const f = await until("unreachable fault", async () => {
      const list = (await floor.api<FaultList>("/api/v1/faults")).body.faults;
      return list.find((x) => x.device === "ups-1" && x.condition === "device.unreachable");
    }, 6000, 100);
    expect(f.status).toBe("open");
  });
});
