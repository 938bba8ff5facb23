import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Sender, type SenderOptions } from "../../agent/outbox/sender.ts";
import { SqlLeaseStore } from "../../collector/cluster/lease-store.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { ManualClock, systemClock } from "../../common/clock.ts";
import { Secret } from "../../common/config/secret.ts";
import type { AgentEvent } from "../../common/wire.ts";
import { testCollector } from "../collector/harness.ts";
import { Floor } from "../harness/floor.ts";
import { node, tempDir, until } from "../harness/process.ts";
import { AGENT_TOKEN as PAIR_TOKEN, notifications, pagingCollector, START } from "../paging/harness.ts";

/**
 * The sender's defences against one bad thing blocking everything: an event the collector fails on
 * (5xx) is isolated and set aside while the rest flows, yet a collector that fails everything (a
 * standby's 503, a collector whose database is gone) never gets an event set aside; a 2xx whose body is
 * not the collector's reply counts as delivered (no second copy to the next collector); stop() ends a
 * long drain. Real collectors on loopback throughout (an in-process active/standby pair for the real
 * standby's 503). No real collector can be made to fail on one chosen event, so a node:http relay in
 * front of a real collector stands in for that collector bug (and, in one test, for a proxy that
 * replaces the collector's reply body).
 */
type Collector = Awaited<ReturnType<typeof testCollector>>;
const opened: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

const condition = (n: number, device = "sw-1"): AgentEvent => ({
  id: `agent-1-px-${String(n).padStart(6, "0")}`,
  type: "condition",
  device,
  condition: device.startsWith("ups") ? "ups.on_battery" : "if.down",
  labels: device.startsWith("ups") ? {} : { ifname: `Gi0/${n}` },
  state: "firing",
  observedAt: new Date(Date.now() - 60_000 + n).toISOString(),
});

async function collector(): Promise<Collector & { url: string }> {
  const h = await testCollector({ clock: systemClock });
  const url = await h.app.listen({ host: "127.0.0.1", port: 0 });
  opened.push(() => h.app.close());
  return Object.assign(h, { url });
}

function storedIds(h: { store: Collector["store"] }): string[] {
  return (h.store.sqlite!.prepare("SELECT id FROM events WHERE type = 'condition' ORDER BY id").all() as { id: string }[]).map(
    (r) => r.id,
  );
}

/**
 * A node:http relay in front of a real collector: answers 500 to any batch carrying the event `failOn`
 * (an id, or a test on each event: the stand-in for a collector bug on one event), or forwards the batch and answers the collector's status with
 * `replaceReply` instead of a 2xx body (the stand-in for a proxy that rewrites bodies). Records each batch.
 */
async function relay(target: string, opts: { failOn?: string | ((e: AgentEvent) => boolean); replaceReply?: string }) {
  const batches: Array<{ ids: string[]; status: number }> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const events = (JSON.parse(body) as { events: AgentEvent[] }).events;
    const ids = events.map((e) => e.id);
    const fail = opts.failOn;
    if (fail && events.some((e) => (typeof fail === "string" ? e.id === fail : fail(e)))) {
      batches.push({ ids, status: 500 });
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ statusCode: 500, error: "Internal Server Error", message: "stand-in for a bug" }));
      return;
    }
    const up = await fetch(new URL(req.url!, target), {
      method: "POST",
      headers: { authorization: req.headers.authorization!, "content-type": "application/json" },
      body,
    });
    const text = await up.text();
    batches.push({ ids, status: up.status });
    const replace = opts.replaceReply !== undefined && up.ok;
    res.writeHead(up.status, { "content-type": replace ? "text/html" : "application/json" });
    res.end(replace ? opts.replaceReply : text);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  opened.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, batches };
}

/** The sender on a fresh outbox, its log lines and callbacks recorded. */
function sender(urls: string[], opts: Partial<SenderOptions> = {}, token = new Secret("agent-token-for-tests")) {
  const outbox = new Outbox(join(tempDir("wf-poison-"), "outbox.db"));
  const logs: Array<{ level: number; time: number; msg: string; event?: string; failures?: number }> = [];
  const rec = {
    delivered: 0,
    failures: 0,
    failovers: 0,
    unreadable: 0,
    rejected: [] as Array<{ id: string; kind: string }>,
  };
  const s = new Sender(outbox, {
    agentId: "agent-1",
    urls,
    token,
    logger: pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
    minBackoffMs: 20,
    maxBackoffMs: 100,
    onDelivered: (n) => (rec.delivered += n),
    onFailure: () => (rec.failures += 1),
    onFailover: () => (rec.failovers += 1),
    onRejected: (id, _reason, kind) => rec.rejected.push({ id, kind }),
    onUnreadableReply: () => (rec.unreadable += 1),
    ...opts,
  });
  opened.push(
    () => outbox.close(),
    () => s.stop(),
  );
  return { s, outbox, logs, rec };
}

/**
 * The agent's heartbeats (every 15 s in production, every 100 ms here): once everything else is
 * delivered, they are what shows a collector up while an event it fails on waits for its next try.
 */
function heartbeats(outbox: Outbox): void {
  const beat = setInterval(
    () => outbox.append({ id: `agent-1-hb-${Date.now()}`, type: "heartbeat", at: new Date().toISOString(), interval: 15 }),
    100,
  );
  opened.push(() => clearInterval(beat));
}

describe("an event every collector fails on (5xx) is set aside; the events behind it arrive", () => {
  it("40 events with one the collector answers 500 to, then a UPS on battery: split, isolated, set aside after 3 proven failures; all 40 others stored", async () => {
    const c = await collector();
    const events = [...Array.from({ length: 40 }, (_, n) => condition(n)), condition(40, "ups-1")];
    const poison = events[5]!.id;
    const bug = await relay(c.url, { failOn: poison });
    const { s, outbox, logs, rec } = sender([bug.url], { setAside: { attempts: 3, afterMs: 0 } });
    for (const e of events) outbox.append(e);
    heartbeats(outbox);
    s.start();
    await until("set aside", () => outbox.rejected().length > 0 || undefined, 20_000, 10);
    await until("the others stored", () => storedIds(c).length === 40 || undefined, 5000, 10);

    const others = events.map((e) => e.id).filter((id) => id !== poison);
    expect(storedIds(c)).toEqual(others);
    expect(c.ctx.faults.liveFaults().filter((f) => f.condition === "ups.on_battery")).toHaveLength(1);
    // Kept on disk, with why, counted, logged at error with its id.
    expect(outbox.rejected().map((r) => r.id)).toEqual([poison]);
    expect(outbox.rejected()[0]!.reason).toMatch(/3 times while other events went through.*answered 500/);
    expect(rec.rejected).toEqual([{ id: poison, kind: "collector_error" }]);
    const error = logs.find((l) => l.level === 50);
    expect(error).toMatchObject({ event: poison });
    // Sent alone and failed; exactly 3 of those failures were followed at once by a batch taken (when
    // nothing else was waiting, the failure proved nothing and the event was tried again).
    const alone = bug.batches.flatMap((b, i) => (b.ids.length === 1 && b.ids[0] === poison ? [i] : []));
    expect(alone.filter((i) => bug.batches[i + 1]?.status === 200)).toHaveLength(3);
    // Split from the first batch of 41: no batch carried the poison after the first one of one.
    expect(bug.batches[0]!.ids).toHaveLength(41);
    expect(bug.batches.slice(alone[0]! + 1).filter((b) => b.ids.length > 1 && b.ids.includes(poison))).toEqual([]);
  });

  it("the event waits aside for its next try while the events behind it go on (attempts 2, after 1 s)", async () => {
    const c = await collector();
    const poison = condition(0).id;
    const bug = await relay(c.url, { failOn: poison });
    const { s, outbox, logs } = sender([bug.url], { setAside: { attempts: 2, afterMs: 1000 }, batchSize: 5 });
    for (let n = 0; n < 3; n++) outbox.append(condition(n));
    s.start();
    await until("the two behind it", () => outbox.size() === 1 || undefined, 10_000, 10);
    expect(storedIds(c)).toEqual([condition(1).id, condition(2).id]);
    expect(outbox.rejected()).toEqual([]);
    // The UPS goes on battery while the poison waits: it arrives at once, not after the poison's fate.
    outbox.append(condition(3, "ups-1"));
    await until("the UPS event", () => storedIds(c).includes(condition(3).id) || undefined, 2000, 10);
    expect(outbox.rejected()).toEqual([]);
    heartbeats(outbox);
    await until("set aside", () => outbox.rejected().length === 1 || undefined, 10_000, 10);
    expect(outbox.rejected()[0]!.id).toBe(poison);
    // Two proven failures were not enough: it was retried (20 ms doubling to 100 ms) until 1 s had
    // passed since the first. The first's log line comes one batch after the failure itself.
    const strikes = logs.filter((l) => l.event === poison && l.failures !== undefined);
    const setAside = logs.find((l) => l.level === 50)!;
    expect(strikes.length).toBeGreaterThanOrEqual(4);
    expect(setAside.time - strikes[0]!.time).toBeGreaterThanOrEqual(900);
  });

  it("a collector whose database is gone (500 to every batch): after 30 failed rounds nothing is set aside or lost", async () => {
    const broken = await collector();
    await broken.store.close();
    const { s, outbox, rec } = sender([broken.url], { setAside: { attempts: 1, afterMs: 0 } });
    for (let n = 0; n < 12; n++) outbox.append(condition(n));
    s.start();
    await until("30 failed rounds", () => rec.failures >= 30 || undefined, 20_000, 10);
    expect(outbox.rejected()).toEqual([]);
    expect(outbox.size()).toBe(12);
    expect(rec.rejected).toEqual([]);
  });

  it("a 2xx whose body is not the collector's reply counts as delivered: no second copy to the next collector", async () => {
    const a = await collector();
    const b = await collector();
    const proxy = await relay(a.url, { replaceReply: "<html><body>OK</body></html>" });
    const { s, outbox, logs, rec } = sender([proxy.url, b.url], { batchSize: 5 });
    for (let n = 0; n < 12; n++) outbox.append(condition(n));
    s.start();
    await until("outbox drained", () => outbox.size() === 0 || undefined, 10_000, 10);
    expect(storedIds(a)).toEqual(Array.from({ length: 12 }, (_, n) => condition(n).id));
    expect(storedIds(b)).toEqual([]);
    expect(rec).toMatchObject({ delivered: 12, failovers: 0, unreadable: 3 });
    expect(logs.filter((l) => l.level === 40 && /not its reply/.test(l.msg))).toHaveLength(3);
  });

  it("stop() during a long drain: no batch is sent after it, and nothing is lost", async () => {
    const c = await collector();
    const { s, outbox, rec } = sender([c.url], { batchSize: 2 });
    for (let n = 0; n < 400; n++) outbox.append(condition(n));
    s.start();
    await until("first batch delivered", () => rec.delivered > 0 || undefined, 10_000, 1);
    await s.stop();
    const delivered = rec.delivered;
    // The collector may still be storing the batch cut off in flight (2 events); nothing after it.
    await new Promise((r) => setTimeout(r, 500));
    const stored = storedIds(c).length;
    expect(stored).toBeLessThanOrEqual(delivered + 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(storedIds(c).length).toBe(stored);
    expect(rec.delivered).toBe(delivered);
    // Every event is at the collector or still in the outbox (a batch cut off may be in both).
    expect(stored + outbox.size()).toBeGreaterThanOrEqual(400);
  });
});

/** Two collectors on one store file in this process (collector.ha): a is active, b the real standby. */
async function pair() {
  const dbFile = join(tempDir("wf-poison-pair-"), "collector.db");
  const clock = new ManualClock(START);
  const node = async (nodeId: string) => {
    const leaseDb = StoreDb.sqlite(dbFile);
    const h = await pagingCollector({
      notifications: notifications({ hook: "http://127.0.0.1:9/" }, {}),
      dbFile,
      clock,
      cluster: {
        nodeId,
        address: () => `http://${nodeId}.example:8480`,
        settings: { heartbeatSeconds: 0.1, failoverSeconds: 1 },
        leaseStore: new SqlLeaseStore(leaseDb.q, "sqlite"),
      },
    });
    const url = await h.app.listen({ host: "127.0.0.1", port: 0 });
    // Closed by the test (a's stop hands over to b) and again after it: the second call waits for the first.
    let closing: Promise<unknown> | undefined;
    const closeApp = h.close;
    const close = () => (closing ??= closeApp().then(() => leaseDb.close()));
    opened.push(close);
    return Object.assign(h, { url, close });
  };
  const a = await node("collector-a");
  await until("a is active", () => a.cluster!.isActive() || undefined, 5000, 10);
  const b = await node("collector-b");
  return { a, b };
}

describe("with a real standby: its 503 is a 5xx to every batch, and sets nothing aside", () => {
  it("the standby's 503 and a collector whose database is gone, for 30 rounds: nothing set aside; when the standby takes over, every event arrives", async () => {
    const { a, b } = await pair();
    const broken = await collector();
    await broken.store.close();
    const { s, outbox, rec } = sender([b.url, broken.url], { setAside: { attempts: 1, afterMs: 0 } }, new Secret(PAIR_TOKEN));
    for (let n = 0; n < 12; n++) outbox.append(condition(n));
    s.start();
    await until("30 failed rounds", () => rec.failures >= 30 || undefined, 20_000, 10);
    expect(outbox.rejected()).toEqual([]);
    expect(outbox.size()).toBe(12);
    await a.close();
    await until("b took over", () => b.cluster!.isActive() || undefined, 10_000, 10);
    await until("outbox drained to b", () => outbox.size() === 0 || undefined, 10_000, 10);
    expect(outbox.rejected()).toEqual([]);
    const stored = (await b.store.db.q.selectFrom("events").select("id").where("type", "=", "condition").orderBy("id").execute()).map(
      (r) => r.id,
    );
    expect(stored).toEqual(Array.from({ length: 12 }, (_, n) => condition(n).id));
  });

  it("standby first, the active behind a relay failing on one event: that event is set aside, the rest reaches the active", async () => {
    const { a, b } = await pair();
    const events = [...Array.from({ length: 20 }, (_, n) => condition(n)), condition(20, "ups-1")];
    const poison = events[13]!.id;
    const bug = await relay(a.url, { failOn: poison });
    const { s, outbox, rec } = sender([b.url, bug.url], { setAside: { attempts: 3, afterMs: 0 } }, new Secret(PAIR_TOKEN));
    for (const e of events) outbox.append(e);
    heartbeats(outbox);
    s.start();
    await until("set aside", () => outbox.rejected().length > 0 || undefined, 20_000, 10);
    expect(rec.rejected).toEqual([{ id: poison, kind: "collector_error" }]);
    const stored = (await a.store.db.q.selectFrom("events").select("id").where("type", "=", "condition").orderBy("id").execute()).map(
      (r) => r.id,
    );
    expect(stored).toEqual(events.map((e) => e.id).filter((id) => id !== poison));
  });
});

describe("a real agent process (agent.outbox.setAside in its config) and a real collector behind the relay", () => {
  it("the relay fails on the agent's first heartbeat: set aside after 2 proven failures, counted on /metrics with reason collector_error, logged at error with its id; later heartbeats arrive", async () => {
    const floor = new Floor({ devices: "  []", agentExtra: "  outbox: { setAside: { attempts: 2, after: 0s } }" });
    opened.push(() => floor.stop());
    await floor.startCollector();
    let marked: string | undefined;
    let fixed = false;
    const bug = await relay(floor.collectorUrl, {
      failOn: (e) => {
        if (fixed || e.type !== "heartbeat") return false;
        marked ??= e.id;
        return e.id === marked;
      },
    });
    floor.agentVia(bug.url);
    await floor.startAgent();
    const metrics = await until(
      "set aside",
      async () => {
        const m = await fetch(`${floor.agentUrl}/metrics`).then((r) => r.text());
        return /^watchfloor_outbox_rejected_events_total\{reason="collector_error"\} 1$/m.test(m) ? m : undefined;
      },
      30_000,
      200,
    );
    expect(metrics).toMatch(/^watchfloor_outbox_rejected_events_total\{reason="malformed"\} 0$/m);
    expect(metrics).toMatch(/^watchfloor_outbox_unreadable_replies_total 0$/m);
    const error = floor.agent!.output.split("\n").find((l) => l.includes("every collector kept failing"));
    expect(JSON.parse(error!)).toMatchObject({ level: 50, event: marked, kind: "collector_error" });
    // The heartbeats after it reached the collector (the relay passed them on and the collector took them).
    expect(bug.batches.filter((b) => b.status === 200 && !b.ids.includes(marked!)).length).toBeGreaterThanOrEqual(2);
    const agents = (await floor.api<{ agents: { id: string }[] }>("/api/v1/agents")).body.agents;
    expect(agents.map((a) => a.id)).toContain("agent-test");

    // The operator lists what was set aside, the collector's bug is fixed, and the event is sent again.
    const cli = async (...args: string[]) => {
      const p = node("watchfloor.mjs", ["outbox", ...args, "--config", floor.config]);
      const code = await new Promise<number | null>((r) => p.child.once("exit", r));
      return { code, output: p.output };
    };
    const listed = await cli("rejected", "--json");
    expect(listed.code).toBe(0);
    const rejected = JSON.parse(listed.output.trim().split("\n").at(-1)!).rejected as Array<{ id: string; reason: string }>;
    expect(rejected).toEqual([expect.objectContaining({ id: marked, reason: expect.stringContaining("500") })]);
    expect((await cli("retry", "no-such-id")).code).toBe(1);
    fixed = true;
    const retried = await cli("retry", "--all");
    expect(retried).toMatchObject({ code: 0, output: expect.stringContaining("1 event(s) back in the queue") });
    // The running agent sends it with its next batch, and the collector takes it.
    await until(
      "the set-aside heartbeat taken by the collector",
      () => bug.batches.some((b) => b.status === 200 && b.ids.includes(marked!)),
      20_000,
      200,
    );
    expect((await cli("rejected")).output).toContain("no event is set aside");
  }, 90_000);
});
