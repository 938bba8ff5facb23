import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Sender } from "../../agent/outbox/sender.ts";
import { systemClock } from "../../common/clock.ts";
import type { AgentEvent } from "../../common/wire.ts";
import { testCollector } from "../collector/harness.ts";
import { Floor, producedEventIds } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { tempDir, until } from "../harness/process.ts";

/**
 * agent.collector.urls: the agent's sender against real collectors on loopback. The store of each is
 * its own SQLite file here (the shared PostgreSQL of an active/standby pair is test/e2e/ha-failover);
 * what is checked is the agent's side: it moves on at once, loses nothing, and backs off only when
 * every collector failed.
 */
const onBattery = (n: number, state: "firing" | "clear" = "firing"): AgentEvent => ({
  id: `agent-1-fo-${String(n).padStart(6, "0")}`,
  type: "condition",
  device: `ups-${n}`,
  condition: "ups.on_battery",
  labels: {},
  state,
  observedAt: new Date(Date.now() - 60_000 + n).toISOString(),
});

type Harness = Awaited<ReturnType<typeof testCollector>>;
const opened: Array<{ close: () => unknown }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function collector(): Promise<Harness & { url: string }> {
  const h = await testCollector({ clock: systemClock });
  const url = await h.app.listen({ host: "127.0.0.1", port: 0 });
  opened.push({ close: () => h.app.close() });
  return Object.assign(h, { url });
}

function storedIds(h: Harness): string[] {
  return (h.store.sqlite!.prepare("SELECT id FROM events WHERE type = 'condition' ORDER BY id").all() as { id: string }[]).map(
    (r) => r.id,
  );
}

function sender(urls: string[], opts: { minBackoffMs?: number } = {}) {
  const outbox = new Outbox(join(tempDir("wf-failover-"), "outbox.db"));
  const failovers: Array<{ from: string; to: string }> = [];
  const failures: string[] = [];
  const s = new Sender(outbox, {
    agentId: "agent-1",
    urls,
    token: { reveal: () => "agent-token-for-tests" } as never,
    logger: pino({ level: process.env.TEST_LOG ?? "silent" }),
    batchSize: 5,
    minBackoffMs: opts.minBackoffMs ?? 50,
    onFailover: (from, to) => failovers.push({ from, to }),
    onFailure: (reason) => failures.push(reason),
  });
  opened.push({ close: () => outbox.close() }, { close: () => s.stop() });
  return { s, outbox, failovers, failures };
}

describe("agent.collector.urls: the sender fails over between collectors", () => {
  it("skips a collector that refuses connections at once (no backoff) and stays with the one that answers", async () => {
    const b = await collector();
    const dead = await collector();
    await dead.app.close(); // its port now refuses connections
    // A long minimum backoff: were the sender to back off before trying the second URL, this would time out.
    const { s, outbox, failovers, failures } = sender([dead.url, b.url], { minBackoffMs: 60_000 });
    for (let n = 0; n < 12; n++) outbox.append(onBattery(n));
    const started = Date.now();
    s.start();
    await until("outbox drained to the second collector", () => outbox.size() === 0, 5000, 10);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(storedIds(b)).toEqual(Array.from({ length: 12 }, (_, n) => onBattery(n).id));
    // One move, then it stays: three batches of five went to b without going back to the dead one.
    expect(failovers).toEqual([{ from: dead.url, to: b.url }]);
    expect(failures).toEqual([]);
    expect(s.url).toBe(b.url);
  });

  it("a collector going away mid-stream: the rest goes to the other, every id arrives once in one of them", async () => {
    const a = await collector();
    const b = await collector();
    const { s, outbox, failovers } = sender([a.url, b.url]);
    for (let n = 0; n < 10; n++) outbox.append(onBattery(n));
    s.start();
    await until("first events at a", () => outbox.size() === 0, 5000, 10);
    await a.app.close();
    for (let n = 10; n < 30; n++) outbox.append(onBattery(n));
    await until("the rest at b", () => outbox.size() === 0, 5000, 10);
    const atA = storedIds(a);
    const atB = storedIds(b);
    expect(atA).toEqual(Array.from({ length: 10 }, (_, n) => onBattery(n).id));
    expect(atB).toEqual(Array.from({ length: 20 }, (_, n) => onBattery(n + 10).id));
    expect(failovers).toEqual([{ from: a.url, to: b.url }]);
  });

  it("every collector down: backs off (doubling), keeps everything, and delivers when one is back", async () => {
    const a = await collector();
    const b = await collector();
    const urls = [a.url, b.url];
    await a.app.close();
    await b.app.close();
    const { s, outbox, failures, failovers } = sender(urls, { minBackoffMs: 200 });
    for (let n = 0; n < 7; n++) outbox.append(onBattery(n));
    s.start();
    await until("three rounds failed", () => failures.length >= 3 || undefined, 10_000, 10);
    // Each round tried both collectors (a failover between them) before backing off.
    expect(failovers.length).toBeGreaterThanOrEqual(2 * 3);
    expect(outbox.size()).toBe(7);
    // b comes back on its old port, with its old store.
    const port = Number(new URL(b.url).port);
    const back = await testCollector({ clock: systemClock, dbFile: ":memory:" });
    await back.app.listen({ host: "127.0.0.1", port });
    opened.push({ close: () => back.app.close() });
    await until("delivered to the collector that came back", () => outbox.size() === 0, 10_000, 20);
    expect(storedIds(back)).toHaveLength(7);
  });
});

function conditionIds(floor: Floor): string[] {
  const db = new Database(join(floor.dir, "collector", "collector.db"), { readonly: true });
  try {
    return (db.prepare("SELECT id FROM events WHERE type = 'condition'").all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe("a real agent process with two collectors (urls); the first is killed with SIGKILL", () => {
  const ups = new PymodbusUps();
  let a: Floor;
  let b: Floor;

  beforeAll(async () => {
    await ups.start();
    b = new Floor({ devices: "  []" });
    a = new Floor({
      devices: `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: 300ms }`,
    });
    // One agent token for both collectors, as an operator configures a pair.
    b.env.WATCHFLOOR_AGENT_TOKEN = a.env.WATCHFLOOR_AGENT_TOKEN;
    await b.startCollector();
    a.extraCollectorUrls = [b.collectorUrl];
    await a.startCollector();
    await a.startAgent();
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await ups.stop();
  });

  it("moves to the second collector; every event the agent produced is stored in one of them", async () => {
    await until("agent heartbeat reached the first collector", async () => {
      const res = await a.api<{ agents: { id: string }[] }>("/api/v1/agents");
      return res.body.agents.length > 0 || undefined;
    });
    await ups.cutMains();
    await until("on_battery produced", () => producedEventIds(a.agent!.output).length >= 1 || undefined, 20_000);
    await a.collector!.stop("SIGKILL");
    const killedAt = producedEventIds(a.agent!.output).length;
    for (let i = 0; i < 2; i++) {
      await ups.restoreMains();
      await new Promise((r) => setTimeout(r, 900));
      await ups.cutMains();
      await new Promise((r) => setTimeout(r, 900));
    }
    await ups.restoreMains();
    await until(
      "outbox drained to the second collector",
      async () => {
        const m = await fetch(`${a.agentUrl}/metrics`).then((r) => r.text());
        const produced = producedEventIds(a.agent!.output);
        return (/^watchfloor_outbox_pending_events 0$/m.test(m) && produced.length >= killedAt + 5 && m) || undefined;
      },
      30_000,
    );
    const metrics = await fetch(`${a.agentUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`^watchfloor_collector_current\\{url="${b.collectorUrl}"\\} 1$`, "m"));
    expect(metrics).toMatch(new RegExp(`^watchfloor_collector_current\\{url="${a.collectorUrl}"\\} 0$`, "m"));
    expect(Number(/^watchfloor_collector_failovers_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    await a.agent!.stop();
    const produced = producedEventIds(a.agent!.output);
    const atA = conditionIds(a);
    const atB = conditionIds(b);
    // Nothing lost: every produced id is in one of the stores (the killed one's file survives a SIGKILL).
    expect(new Set([...atA, ...atB])).toEqual(new Set(produced));
    // Everything produced after the kill went to b.
    for (const id of produced.slice(killedAt)) expect(atB).toContain(id);
  }, 180_000);
});
