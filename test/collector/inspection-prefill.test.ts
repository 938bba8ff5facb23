import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { AgentMetrics } from "../../agent/metrics.ts";
import { buildAgentServer } from "../../agent/server.ts";
import { AgentMetricsReadings, parseExposition } from "../../collector/inspections/live-readings.ts";
import { ManualClock } from "../../common/clock.ts";
import { shippedTemplates } from "../fixtures/templates.ts";
import { testCollector } from "./harness.ts";

/** The agent's own /metrics (its AgentMetrics and HTTP server), serving readings as a poll would set them. */
async function agentMetricsEndpoint() {
  const registry = new Registry();
  const metrics = new AgentMetrics(registry);
  metrics.setReadings("ups-1", [
    { name: "ups_output_load_ratio", labels: {}, value: 0.42 },
    { name: "ups_battery_temperature_celsius", labels: {}, value: 24.5 },
    { name: "ups_battery_voltage_volts", labels: {}, value: 54.2 },
  ]);
  metrics.setReadings("sw-floor-1", [{ name: "if_oper_up", labels: { ifname: 'Gi1/0/1, "uplink"\\core' }, value: 1 }]);
  const server = buildAgentServer({ registry, readings: metrics.readings, health: () => ({}) });
  const url = `${await server.listen({ host: "127.0.0.1", port: 0 })}/metrics`;
  return { url, server, registry };
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("items pre-filled from a device's latest live reading (the agent's /metrics)", () => {
  it("reads the agent's exposition, escaped label values included", async () => {
    const agent = await agentMetricsEndpoint();
    closers.push(() => agent.server.close());
    const samples = parseExposition(await (await fetch(agent.url)).text());
    expect(samples.find((s) => s.name === "watchfloor_if_oper_up")?.labels).toEqual({ device: "sw-floor-1", ifname: 'Gi1/0/1, "uplink"\\core' });
    expect(samples.find((s) => s.name === "watchfloor_ups_output_load_ratio")).toMatchObject({ labels: { device: "ups-1" }, value: 0.42 });
  });

  it("the round offers the readings in the item's unit; the answer records what was offered beside what was saved", async () => {
    const agent = await agentMetricsEndpoint();
    closers.push(() => agent.server.close());
    const clock = new ManualClock(Date.parse("2026-11-25T08:00:00+08:00"));
    const h = await testCollector({
      clock,
      templates: shippedTemplates(["daily-server-room"]),
      liveReadings: new AgentMetricsReadings([agent.url], clock),
    });
    closers.push(() => h.app.close());
    clock.set(Date.parse("2026-11-25T09:05:00+08:00"));
    const round = (await h.ctx.inspections.tick()).created[0]!;
    const got = await h.call("GET", `/api/v1/inspections/rounds/${round.id}`, h.tokens.facility_manager);
    const ups = (got.body.round as { stops: Array<{ id: string; items: Array<{ id: string; suggested?: unknown }> }> }).stops.find((s) => s.id === "ups")!;
    expect(ups.items.find((i) => i.id === "ups-load")!.suggested).toMatchObject({ value: 42, device: "ups-1", reading: "ups_output_load_ratio" });
    expect(ups.items.find((i) => i.id === "battery-room-temp")!.suggested).toMatchObject({ value: 24.5 });
    expect(ups.items.find((i) => i.id === "ups-panel")!.suggested).toBeUndefined();

    const fm = h.tokens.facility_manager;
    await h.call("POST", `/api/v1/inspections/rounds/${round.id}/stops/ups/checkin`, fm, {});
    const saved = await h.call("POST", `/api/v1/inspections/rounds/${round.id}/answers`, fm, {
      stop: "ups",
      item: "ups-load",
      value: 43,
      prefilled: { device: "ups-1", reading: "ups_output_load_ratio", value: 42 },
    });
    expect(saved.status).toBe(200);
    expect((await h.ctx.inspections.rows.round(round.id))!.answers["ups/ups-load"]).toMatchObject({ value: 43, prefilled: { value: 42 } });
  });

  it("an agent that does not answer leaves the item empty, quickly", async () => {
    const agent = await agentMetricsEndpoint();
    await agent.server.close();
    const readings = new AgentMetricsReadings([agent.url], new ManualClock(0), { timeoutMs: 500 });
    const t0 = Date.now();
    expect(await readings.latest("ups-1", "ups_output_load_ratio", {})).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
