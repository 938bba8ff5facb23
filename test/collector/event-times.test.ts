import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Sender } from "../../agent/outbox/sender.ts";
import { describe as sentenceOf } from "../../collector/http/ui/timeline.tsx";
import { StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { tempDir, until } from "../harness/process.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

/**
 * Agent clocks at ingest (collector/event-time.ts): the repros of a clock jumped forward (an NTP step, a
 * VM resumed: 2099) and of one reset to the epoch (a dead RTC battery), through the collector app on
 * its SQLite store, KPI and liveness read back over its API and /metrics. The expected times are the
 * collector's clock (a ManualClock here) and the spacing the agent reported, never the code's output.
 */
type Harness = Awaited<ReturnType<typeof testCollector>>;
let h: Harness | undefined;
let sender: Sender | undefined;
let outbox: Outbox | undefined;
afterEach(async () => {
  await sender?.stop();
  outbox?.close();
  await h?.app.close();
  h = sender = outbox = undefined;
});

// 2026-12-01 10:00 Asia/Shanghai: 2026Q4; 2026Q1 assessed long ago.
const NOW = "2026-12-01T10:00:00+08:00";
const now = Date.parse(NOW);

async function collector() {
  const registry = new Registry();
  h = await testCollector({ start: NOW, registry });
  const post = (events: unknown[], sentAt?: string) =>
    h!.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: { agent: "agent-1", ...(sentAt ? { sentAt } : {}), events },
    });
  const kpi = async (period: string) => (await h!.call("GET", `/api/v1/kpi?period=${period}`, h!.tokens.client_auditor)).body.kpi as Record<string, unknown>;
  const metric = async (line: string) => {
    const text = await registry.metrics();
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  };
  const faults = (condition: string) => h!.ctx.faults.liveFaults().filter((f) => f.condition === condition);
  const timeline = async (faultId: string) =>
    (await h!.call("GET", `/api/v1/audit?fault=${faultId}`, h!.tokens.client_auditor)).body.entries as Array<{ action: string; detail: Record<string, unknown> }>;
  return { h, post, kpi, metric, faults, timeline };
}

const firing = (id: string, observedAt: string, device = "ups-1") => ({
  id,
  type: "condition",
  device,
  condition: "ups.on_battery",
  state: "firing",
  observedAt,
  classHint: "severe",
});

describe("H3: a future-dated heartbeat neither opens a breached agent.down nor blinds liveness", () => {
  it("the reviewer's batch (2099, no sentAt): no fault, last_seen is the receive time, a stop is still seen", async () => {
    const c = await collector();
    const before = await c.kpi("2026Q4");
    const res = await c.post([{ id: "rv-hb-fut-01", type: "heartbeat", at: "2099-01-01T00:00:00+08:00", interval: 15 }]);
    expect(res.statusCode).toBe(200);
    expect(c.faults("agent.down")).toEqual([]);
    expect(await c.kpi("2026Q4")).toEqual(before);
    expect((await c.kpi("2026Q4")).deduction_cny).toBe(0);
    const agents = (await c.h.call("GET", "/api/v1/agents", c.h.tokens.engineer)).body.agents as Array<{ last_seen: string; up: boolean }>;
    expect(Date.parse(agents[0]!.last_seen)).toBe(now);
    expect(await c.metric('watchfloor_events_time_clamped_total{reason="future"}')).toBe(1);

    // The agent stops (kill -STOP): three 15 s beats later it is down, opened 45 s after the receive time.
    c.h.clock.advance(46_000);
    await c.h.ctx.liveness.check();
    const [down] = c.faults("agent.down");
    expect(down?.status).toBe("open");
    expect(down?.openedAt).toBe(now + 45_000);
    expect(down?.breaches).toEqual([]);
    expect(await c.metric('watchfloor_agent_up{agent="agent-1"}')).toBe(0);
  });

  it("an agent whose clock jumped to 2099 and says so in sentAt keeps its heartbeats' spacing, and is called down when it stops", async () => {
    const c = await collector();
    // Agent clock 2099-01-01T00:00:00+08:00 at send; heartbeats from 30 s and 15 s before.
    await c.post(
      [
        { id: "hb-jump-0001", type: "heartbeat", at: "2098-12-31T23:59:30+08:00", interval: 15 },
        { id: "hb-jump-0002", type: "heartbeat", at: "2098-12-31T23:59:45+08:00", interval: 15 },
      ],
      "2099-01-01T00:00:00+08:00",
    );
    const agents = (await c.h.call("GET", "/api/v1/agents", c.h.tokens.engineer)).body.agents as Array<{ last_seen: string }>;
    expect(Date.parse(agents[0]!.last_seen)).toBe(now - 15_000);
    expect(await c.metric('watchfloor_agent_clock_offset_seconds{agent="agent-1"}')).toBe(
      (Date.parse("2099-01-01T00:00:00+08:00") - now) / 1000,
    );
    expect(await c.metric('watchfloor_events_time_clamped_total{reason="future"}')).toBe(0);
    // Silent since: down three 15 s beats after the last one (now − 15 s), seen once the start's grace is over.
    c.h.clock.advance(46_000);
    await c.h.ctx.liveness.check();
    expect(c.faults("agent.down").map((f) => f.openedAt)).toEqual([now + 30_000]);
  });
});

describe("a store written before the bound: an agent's last heartbeat dated 2099", () => {
  it("is taken as the start time, so the agent is called down once it stays silent", async () => {
    const store = new CollectorStore(StoreDb.sqlite(":memory:"));
    // What the unbounded collector recorded for the reviewer's heartbeat.
    await store.agentSeen("agent-1", Date.parse("2099-01-01T00:00:00+08:00"), 15);
    h = await testCollector({ start: NOW, store });
    const lastSeen = async () =>
      Date.parse(((await h!.call("GET", "/api/v1/agents", h!.tokens.engineer)).body.agents as Array<{ last_seen: string }>)[0]!.last_seen);
    await until("last_seen pulled back", async () => ((await lastSeen()) === now ? true : undefined), 5_000, 20);
    h.clock.advance(46_000);
    await h.ctx.liveness.check();
    expect(h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down").map((f) => f.openedAt)).toEqual([now + 45_000]);
  });
});

describe("H4: the device-side time of a condition is bounded by the collector's clock", () => {
  it("observedAt 2099 (no sentAt): the fault opens at the receive time with its real deadline, and the timeline says why", async () => {
    const c = await collector();
    await c.post([firing("rv-obs-fut-01", "2099-01-01T00:00:00+08:00")]);
    const [f] = c.faults("ups.on_battery");
    expect(f?.openedAt).toBe(now);
    // A UPS condition is severe (严重): under 2 h to resolve, counted from the receive time.
    c.h.clock.advance(2 * 3_600_000 - 1);
    expect(await c.kpi("2026Q4")).toMatchObject({ pending: 1, breached: 0 });
    c.h.clock.advance(1);
    expect(await c.kpi("2026Q4")).toMatchObject({
      pending: 0,
      breached: 1,
      breaches: [{ fault: f!.id, deadline: "resolve", due: "2026-12-01T12:00:00+08:00", missed_by_seconds: 0 }],
    });
    const corrected = (await c.timeline(f!.id)).find((e) => e.action === "event.time_corrected");
    expect(corrected?.detail).toMatchObject({ eventId: "rv-obs-fut-01", reportedAt: "2099-01-01T00:00:00+08:00", reason: "future" });
    // What the client auditor reads on the fault's page.
    const sentence = sentenceOf(corrected as never, { lang: "zh", tz: "Asia/Shanghai", personName: () => undefined });
    expect(sentence).toContain("设备报告 2099-01-01");
    expect(sentence).toContain("采用 2026-12-01");
    expect(sentence).toContain("按收到时间计");
  });

  it("observedAt 2026-01-05 (no sentAt): the assessed 2026Q1 KPI is unchanged; the fault is 2026Q4's, pending", async () => {
    const c = await collector();
    const q1 = await c.kpi("2026Q1");
    await c.post([firing("rv-obs-old-01", "2026-01-05T09:00:00+08:00")]);
    expect(await c.kpi("2026Q1")).toEqual(q1);
    expect(q1).toMatchObject({ total: 0, breached: 0, timeliness: 1, deduction_cny: 0 });
    expect(await c.kpi("2026Q4")).toMatchObject({ total: 1, pending: 1, breached: 0, deduction_cny: 0 });
    expect(await c.metric('watchfloor_events_time_clamped_total{reason="too_old"}')).toBe(1);
  });

  it("observedAt 1970-01-01 (clock reset to the epoch, no sentAt): no breach, no breached notice", async () => {
    const c = await collector();
    const notices: string[] = [];
    c.h.ctx.faults.on("notice", (n) => notices.push(n.type));
    await c.post([firing("rv-obs-epoch-01", "1970-01-01T00:00:00+08:00")]);
    const [f] = c.faults("ups.on_battery");
    expect(f?.openedAt).toBe(now);
    expect(f?.breaches).toEqual([]);
    expect(notices).toEqual(["opened"]);
    expect(await c.kpi("2026Q4")).toMatchObject({ breached: 0, pending: 1 });
  });

  it("an agent reset to the epoch that sends sentAt keeps its events' real times (offset corrected), audited as clock_offset", async () => {
    const c = await collector();
    // Agent clock 1970-01-01T00:10:00Z at send; it saw the condition 90 s before and its clear 30 s before.
    await c.post(
      [
        firing("epoch-ev-0001", "1970-01-01T00:08:30Z"),
        { ...firing("epoch-ev-0002", "1970-01-01T00:09:30Z"), state: "clear" },
      ],
      "1970-01-01T00:10:00Z",
    );
    const [f] = c.faults("ups.on_battery");
    expect([f?.openedAt, f?.resolvedAt]).toEqual([now - 90_000, now - 30_000]);
    const entries = (await c.timeline(f!.id)).filter((e) => e.action === "event.time_corrected");
    expect(entries.map((e) => [e.detail.eventId, e.detail.reason, e.detail.clockOffsetSeconds])).toEqual([
      ["epoch-ev-0001", "clock_offset", (Date.parse("1970-01-01T00:10:00Z") - now) / 1000],
      ["epoch-ev-0002", "clock_offset", (Date.parse("1970-01-01T00:10:00Z") - now) / 1000],
    ]);
  });

  it("an event held 6 h in the outbox, sent with a correct clock, keeps its time; no correction is audited", async () => {
    const c = await collector();
    await c.post([firing("late-ev-0001", "2026-12-01T04:00:00+08:00")], "2026-12-01T10:00:00.150+08:00");
    const [f] = c.faults("ups.on_battery");
    expect(f?.openedAt).toBe(Date.parse("2026-12-01T04:00:00+08:00"));
    expect((await c.timeline(f!.id)).map((e) => e.action)).not.toContain("event.time_corrected");
  });
});

describe("the agent stamps its batches with sentAt (real sender over loopback)", () => {
  it("a collector whose clock is 2 h behind the agent's places the agent's events at its own time", async () => {
    const real = Date.now();
    // The collector's clock: 2 h behind this machine's, which the agent's sender uses.
    h = await testCollector({ start: new Date(real - 2 * 3_600_000).toISOString() });
    const url = await h.app.listen({ host: "127.0.0.1", port: 0 });
    outbox = new Outbox(join(tempDir("wf-outbox-"), "outbox.db"));
    outbox.append({ ...firing("sent-ev-0001", new Date(real - 10_000).toISOString()), type: "condition", state: "firing", classHint: "severe", labels: {} });
    sender = new Sender(outbox, { agentId: "agent-1", urls: [url], token: h.secret, logger: pino({ level: "silent" }) });
    sender.start();
    await until("outbox drained", () => outbox!.size() === 0 || undefined, 10_000, 20);
    const [f] = h.ctx.faults.liveFaults().filter((x) => x.condition === "ups.on_battery");
    // Reported 10 s before the agent's "now"; the send took some ms of this machine's time.
    const expected = real - 2 * 3_600_000 - 10_000;
    expect(f!.openedAt).toBeLessThanOrEqual(expected);
    expect(f!.openedAt).toBeGreaterThan(expected - 5_000);
  });
});
