import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { StorePruner } from "../../collector/store/prune.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

const DAY = 86_400_000;
type Harness = Awaited<ReturnType<typeof testCollector>>;

async function post(h: Harness, events: unknown[]) {
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/events",
    headers: { authorization: `Bearer ${AGENT_TOKEN}` },
    payload: { agent: "agent-1", events },
  });
  return res.json() as { accepted: number; duplicates: number };
}

const onBattery = (id: string, state: "firing" | "clear", at: number) => ({
  id,
  type: "condition",
  device: "ups-1",
  condition: "ups.on_battery",
  state,
  observedAt: new Date(at).toISOString(),
});

async function metric(h: Harness, name: string): Promise<string[]> {
  const text = (await h.call("GET", "/metrics", undefined)).body.text as string;
  return text.split("\n").filter((l) => l.startsWith(name));
}

describe("archiving that fails says so; the archive retries", () => {
  it("a store that refuses the archive's write: logged as a failure, counted, the fault stays live, archived on the next try", async () => {
    const h = await testCollector();
    const t = h.clock.now();
    await post(h, [onBattery("evt-ups1-fire", "firing", t - 60_000), onBattery("evt-ups1-clear", "clear", t)]);
    // A real SQLite refusal of the archive's write (as a full disk would raise), not a mock.
    h.store.sqlite!.exec(
      "CREATE TRIGGER refuse_archive BEFORE UPDATE OF archived_at ON faults BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    h.clock.advance(17 * DAY); // past policy.archive.afterSeconds (16 d)
    await h.ctx.faults.advance();
    expect(await metric(h, "watchfloor_store_archive_failures_total")).toEqual([
      'watchfloor_store_archive_failures_total{reason="store"} 1',
    ]);
    expect(h.store.sqlite!.prepare("SELECT archived_at FROM faults").all()).toEqual([{ archived_at: null }]);
    expect((await h.store.audit()).filter((e) => e.action === "fault.archive")).toEqual([]);

    h.store.sqlite!.exec("DROP TRIGGER refuse_archive");
    await h.ctx.faults.advance();
    expect(h.store.sqlite!.prepare("SELECT archived_at FROM faults").all()).toEqual([{ archived_at: h.clock.now() }]);
    expect((await h.store.audit()).filter((e) => e.action === "fault.archive")).toHaveLength(1);
    await h.app.close();
  });
});

describe("retention: receipts no rule needs are pruned on a schedule", () => {
  it("heartbeats after a day, condition receipts after the retention; an old event redelivered changes nothing", async () => {
    const h = await testCollector();
    const pruner = new StorePruner({
      store: h.store,
      clock: h.clock,
      logger: pino({ level: "silent" }),
      registry: new Registry(),
      retention: { events: 30 * 86400, heartbeats: 86400 },
    });
    const t = h.clock.now();
    const events = [
      onBattery("evt-ups1-fire", "firing", t - 60_000),
      onBattery("evt-ups1-clear", "clear", t),
      { id: "hb-agent-1-0001", type: "heartbeat", at: new Date(t).toISOString(), interval: 15 },
    ];
    await post(h, events);
    const receipts = () =>
      (h.store.sqlite!.prepare("SELECT id FROM events ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);

    h.clock.advance(2 * DAY);
    expect(await pruner.prune()).toEqual({ heartbeats: 1, events: 0 });
    expect(receipts()).toEqual(["evt-ups1-clear", "evt-ups1-fire"]);

    h.clock.advance(29 * DAY);
    await h.ctx.faults.advance(); // archives the resolved fault (16 d)
    expect(await pruner.prune()).toEqual({ heartbeats: 0, events: 2 });
    expect(receipts()).toEqual([]);

    const audit = (await h.store.audit()).length;
    const faults = JSON.stringify(await h.ctx.faults.faults());
    expect(JSON.parse(faults)).toHaveLength(1);
    await post(h, events.slice(0, 2));
    expect(JSON.stringify(await h.ctx.faults.faults())).toBe(faults);
    expect(await h.store.audit()).toHaveLength(audit);
    await h.app.close();
  });
});

describe("the fault list after years of archive", () => {
  it("open faults are listed from the live faults alone, and the same as when the whole record is read", async () => {
    const h = await testCollector();
    const t = h.clock.now();
    await post(h, [onBattery("evt-old-fire", "firing", t - 60_000), onBattery("evt-old-clear", "clear", t)]);
    h.clock.advance(17 * DAY); // past policy.archive.afterSeconds (16 d): the resolved fault is archived
    await h.ctx.faults.advance();
    expect((await h.store.audit()).filter((e) => e.action === "fault.archive")).toHaveLength(1);
    await post(h, [{ ...onBattery("evt-new-fire", "firing", h.clock.now()), device: "ups-2" }]);

    const list = async (query: string) =>
      ((await h.call("GET", `/api/v1/faults${query}`, h.tokens.client_auditor)).body as { faults: { device: string; status: string }[] })
        .faults.map((f) => [f.device, f.status]);
    expect(await list("?status=active")).toEqual([["ups-2", "open"]]);
    expect(await list("?status=open")).toEqual([["ups-2", "open"]]);
    expect(await list("")).toEqual([
      ["ups-2", "open"],
      ["ups-1", "resolved"],
    ]);
    await h.app.close();
  });
});
