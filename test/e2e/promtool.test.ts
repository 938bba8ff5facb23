import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { freePort } from "../harness/ports.ts";
import { Proc, until, tempDir } from "../harness/process.ts";
import { promtoolCheck } from "../peers/promtool.ts";


describe("promtool check metrics passes on the agent's and the collector's /metrics", () => {
  const ups = new PymodbusUps();
  let floor: Floor;

  beforeAll(async () => {
    execFileSync("promtool", ["--version"]);
    await ups.start();
    floor = new Floor({
      devices: `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: 1s }`,
    });
    await floor.startCollector();
    await floor.startAgent();
  });

  afterAll(async () => {
    await floor?.stop();
    await ups.stop();
  });

  it("agent /metrics: readings, device_up, poll duration, outbox", async () => {
    await ups.cutMains();
    const text = await until("readings exported", async () => {
      const t = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
      return t.includes("watchfloor_ups_battery_runtime_seconds") && t.includes('condition="ups.on_battery"} 1') ? t : undefined;
    });
    for (const name of ["watchfloor_device_up", "watchfloor_poll_duration_seconds", "watchfloor_outbox_pending_events", "watchfloor_ups_output_load_ratio"])
      expect(text).toContain(name);
    expect(text).toContain('watchfloor_device_profile_info{device="ups-1",profile="generic-ups-modbus"} 1');
    const res = promtoolCheck(text);
    expect(res.output).toBe("");
    expect(res.status).toBe(0);
  });

  it("collector /metrics: open faults by class, deadlines left, KPI, agents", async () => {
    const text = await until("fault exported", async () => {
      const t = await fetch(`${floor.collectorUrl}/metrics`).then((r) => r.text());
      return /watchfloor_fault_deadline_seconds_left\{[^}]*device="ups-1"/.test(t) ? t : undefined;
    });
    for (const name of ["watchfloor_faults_open", "watchfloor_kpi_timeliness_ratio", "watchfloor_agent_up", "watchfloor_events_received_total"])
      expect(text).toContain(name);
    const res = promtoolCheck(text);
    expect(res.output).toBe("");
    expect(res.status).toBe(0);
  });

  it("a real Prometheus scrapes both and sees the UPS on battery and the open fault", async () => {
    const dir = tempDir("wf-prom-");
    const port = await freePort();
    const host = (url: string) => new URL(url).host;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s }
scrape_configs:
  - { job_name: watchfloor-agent, static_configs: [{ targets: ["${host(floor.agentUrl)}"] }] }
  - { job_name: watchfloor-collector, static_configs: [{ targets: ["${host(floor.collectorUrl)}"] }] }
`,
    );
    const prom = new Proc("prometheus", [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    try {
      const query = async (q: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result;
      };
      const onBattery = await until("Prometheus has the reading", async () => {
        const r = await query('watchfloor_ups_on_battery{device="ups-1"}');
        return r.length ? r : undefined;
      }, 20_000, 500);
      expect(onBattery[0]!.value[1]).toBe("1");
      const open = await until("Prometheus has the fault", async () => {
        const r = await query('watchfloor_faults_open{class="severe"}');
        return r.length ? r : undefined;
      }, 20_000, 500);
      expect(Number(open[0]!.value[1])).toBeGreaterThanOrEqual(1);
    } finally {
      await prom.stop();
    }
  });

  it("promtool rejects a broken exposition (the check can fail)", () => {
    expect(promtoolCheck("watchfloor_bad-name 1\n").status).not.toBe(0);
  });
});
