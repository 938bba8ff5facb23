import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Floor, producedEventIds } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { until } from "../harness/process.ts";

describe("durable outbox: a collector outage loses nothing and doubles nothing", () => {
  const ups = new PymodbusUps();
  let floor: Floor;

  beforeAll(async () => {
    await ups.start();
    floor = new Floor({
      devices: `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: 300ms }`,
    });
    await floor.startCollector();
    await floor.startAgent();
  });

  afterAll(async () => {
    await floor?.stop();
    await ups.stop();
  });

  it("delivers every event produced while the collector was down exactly once, in effect", async () => {
    await until("agent heartbeat reached the collector", async () => {
      const res = await floor.api<{ agents: { id: string }[] }>("/api/v1/agents");
      return res.body.agents.length > 0 || undefined;
    });
    // A crash, not a polite stop: the collector gets no chance to flush anything.
    await floor.collector!.stop("SIGKILL");

    for (let i = 0; i < 3; i++) {
      await ups.cutMains();
      await new Promise((r) => setTimeout(r, 900));
      await ups.restoreMains();
      await new Promise((r) => setTimeout(r, 900));
    }
    const produced = producedEventIds(floor.agent!.output);
    expect(produced.length).toBeGreaterThanOrEqual(6);
    const metrics = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
    const pending = Number(/^watchfloor_outbox_pending_events (\d+)/m.exec(metrics)?.[1]);
    expect(pending).toBeGreaterThanOrEqual(produced.length);

    await floor.startCollector();
    const faults = await until(
      "outbox drained",
      async () => {
        const m = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
        if (!/^watchfloor_outbox_pending_events 0$/m.test(m)) return undefined;
        return (
          await floor.api<{ faults: { condition: string; status: string; reopen_count: number }[] }>(
            "/api/v1/faults",
          )
        ).body.faults;
      },
      15_000,
    );

    await floor.collector!.stop();
    const db = new Database(join(floor.dir, "collector", "collector.db"), { readonly: true });
    const stored = db.prepare("SELECT id FROM events WHERE type = 'condition'").all() as { id: string }[];
    db.close();
    const producedNow = producedEventIds(floor.agent!.output);
    // None lost: every produced event is in the collector. None doubled: ids are unique there.
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(producedNow));
    expect(stored.length).toBe(producedNow.length);
    // In effect: three cuts, each cleared; the engine reopens within its window or opens anew, but
    // every on_battery episode is resolved and none is open.
    const onBattery = faults.filter((f) => f.condition === "ups.on_battery");
    expect(onBattery.length).toBeGreaterThanOrEqual(1);
    expect(onBattery.every((f) => f.status === "resolved")).toBe(true);
    expect(onBattery.reduce((n, f) => n + 1 + f.reopen_count, 0)).toBe(3);
    await floor.startCollector();
    // Three collector starts, a kill and a drain: on a loaded 2-core CI machine this is not 30 s work.
  }, 120_000);

  it("acknowledges a redelivered batch without applying it twice", async () => {
    const event = {
      id: "agent-test-manual-redelivery-1",
      type: "condition",
      device: "ups-9",
      condition: "ups.on_battery",
      labels: {},
      state: "firing",
      observedAt: new Date().toISOString(),
    };
    const post = () =>
      floor.api<{ accepted: number; duplicates: number }>(
        "/api/v1/events",
        { method: "POST", body: JSON.stringify({ agent: "agent-test", events: [event] }) },
        floor.env.WATCHFLOOR_AGENT_TOKEN,
      );
    expect((await post()).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await post()).body).toEqual({ accepted: 0, duplicates: 1 });
    const faults = (await floor.api<{ faults: { device: string }[] }>("/api/v1/faults")).body.faults.filter(
      (f) => f.device === "ups-9",
    );
    expect(faults).toHaveLength(1);
  });
});

describe("a malformed event in the outbox does not block the ones behind it", () => {
  it("sets it aside (kept on disk, counted, logged) and delivers the rest", async () => {
    const floor = new Floor({ devices: "  []" });
    try {
      await floor.startCollector();
      const outbox = new Outbox(join(floor.dir, "agent", "outbox.db"));
      // Written by an older agent, say: the collector's schema refuses its time.
      outbox.append({
        id: "agent-test-bad-000001",
        type: "condition",
        device: "ups-1",
        condition: "ups.on_battery",
        labels: {},
        state: "firing",
        observedAt: "yesterday",
      } as never);
      outbox.close();
      await floor.startAgent();
      await until("heartbeat behind the bad event delivered", async () => {
        const res = await floor.api<{ agents: { id: string }[] }>("/api/v1/agents");
        return res.body.agents.length > 0 || undefined;
      });
      const metrics = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^watchfloor_outbox_rejected_events_total\{reason="malformed"\} 1$/m);
      expect(metrics).toMatch(/^watchfloor_outbox_rejected_events_total\{reason="collector_error"\} 0$/m);
      expect(floor.agent!.output).toContain("collector refused a malformed event");
      await floor.agent!.stop();
      const again = new Outbox(join(floor.dir, "agent", "outbox.db"));
      expect(again.rejected().map((r) => r.id)).toEqual(["agent-test-bad-000001"]);
      expect(again.rejected()[0]!.reason).toContain("observedAt");
      again.close();
    } finally {
      await floor.stop();
    }
  });
});
