import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT, until } from "../harness/process.ts";
import { SmallDisk, smallDiskMissing } from "../harness/small-disk.ts";

type FaultList = { faults: Array<{ device: string; condition: string; status: string }> };

const SUITE = "agent on a full disk (its dataDir on a tmpfs filled to the last page)";
const UPS = `  - { id: ups-1, name: 机房UPS, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:PORT", profile: generic-ups-modbus, interval: 1s, options: { timeoutMs: 500 } }`;

describe.skipIf(skipWithout(smallDiskMissing(), SUITE))(SUITE, () => {
  const ups = new PymodbusUps();
  let floor: Floor;
  let disk: SmallDisk;

  beforeAll(async () => {
    await ups.start();
    floor = new Floor({ devices: UPS.replace("PORT", String(ups.port)) });
    disk = new SmallDisk(join(floor.dir, "agent")).mount();
    await floor.startCollector();
    await floor.startAgent();
  }, 120_000);

  afterAll(async () => {
    await floor?.stop();
    await ups.stop();
    disk?.unmount();
  });

  const onBattery = async () =>
    (await floor.api<FaultList>("/api/v1/faults")).body.faults.filter((f) => f.device === "ups-1" && f.condition === "ups.on_battery");
  const agentMetrics = () => fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
  /** Starts the agent as a process of its own; its exit code and stderr (it is expected not to start). */
  const startAgentOnce = (config: string) =>
    promisify(execFile)(process.execPath, [join(ROOT, "bin/watchfloor-agent.mjs"), "--config", config, "--listen", "127.0.0.1:0"], {
      env: { ...process.env, ...floor.env },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it("keeps a condition change the outbox could not take and sends it once the disk has room", async () => {
    await until("first poll", async () => (await agentMetrics()).includes('watchfloor_ups_on_battery{device="ups-1"} 0'), 30_000);
    disk.fill();
    await ups.cutMains();
    // The agent saw it (the reading) but could not write the change: said at error level and counted.
    await floor.agent!.waitFor(/"level":50[^\n]*"condition":"ups.on_battery"[^\n]*condition change not written to the outbox/, 15_000);
    const metrics = await agentMetrics();
    expect(metrics).toMatch(/watchfloor_ups_on_battery\{device="ups-1"\} 1/);
    expect(metrics).toMatch(/watchfloor_agent_errors_total\{component="outbox"\} [1-9]/);
    // Not claimed as firing while the collector cannot hear of it.
    expect(metrics).not.toMatch(/watchfloor_conditions_firing\{device="ups-1",condition="ups.on_battery"\} 1/);
    const health = await fetch(`${floor.agentUrl}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; outbox: { ok: boolean; reason: string } };
    expect(body.status).toBe("unavailable");
    expect(body.outbox.ok).toBe(false);
    // SQLite's own words for ENOSPC on the outbox file (SQLITE_FULL, or an I/O error on its WAL/shm).
    expect(body.outbox.reason).toMatch(/SQLITE_(FULL|IOERR)/);
    expect(await onBattery()).toEqual([]);

    disk.free();
    // The next polls make the change again: the collector opens the fault.
    const [fault] = await until("ups.on_battery reaches the collector", async () => {
      const f = await onBattery();
      return f.length > 0 ? f : undefined;
    }, 20_000, 200);
    expect(fault!.status).toBe("open");
    await until("/healthz ok again", async () => ((await fetch(`${floor.agentUrl}/healthz`)).status === 200 ? true : undefined), 10_000);
    expect(await agentMetrics()).toMatch(/watchfloor_conditions_firing\{device="ups-1",condition="ups.on_battery"\} 1/);
  }, 90_000);

  it("refuses to start on a full disk: exit 1 and one line on stderr naming the outbox and the disk", async () => {
    await floor.agent!.stop();
    const fresh = new SmallDisk(join(floor.dir, "agent-full"), "1m").mount();
    try {
      fresh.fill();
      const config = floor.config.replace(/site\.yaml$/, "site-full.yaml");
      writeFileSync(config, readFileSync(floor.config, "utf8").replace(`dataDir: ${join(floor.dir, "agent")}\n`, `dataDir: ${fresh.dir}\n`));
      const run = await startAgentOnce(config);
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`watchfloor-agent: refusing to start: cannot open the outbox ${join(fresh.dir, "outbox.db")}`);
      expect(lines[0]).toMatch(/the disk is full or failing; free space on it/);
    } finally {
      fresh.unmount();
    }
  }, 90_000);

  it("refuses to start when its existing outbox opens but cannot be written (the disk filled while it was stopped)", async () => {
    await floor.agent!.stop();
    disk.fill();
    try {
      const run = await startAgentOnce(floor.config);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      // Opening may already fail (SQLite cannot grow its WAL index), or only the first write.
      expect(run.stderr).toMatch(/^watchfloor-agent: refusing to start: cannot (open|write to) the outbox /);
      expect(run.stderr).toContain(join(floor.dir, "agent", "outbox.db"));
      expect(run.stderr).toMatch(/SQLITE_(FULL|IOERR)[^\n]*the disk is full or failing; free space on it/);
    } finally {
      disk.free();
    }
  }, 90_000);
});
