import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import type { ManualClock } from "../../common/clock.ts";
import { pagingCollector, rosterMonths, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] },
});

/** zhangwei is reached on a WeCom robot first, then SMS; both stand-ins are local receivers. */
function config(robotUrl: string, smsUrl: string) {
  return {
    ack: { secret: "k" },
    channels: [
      { id: "wecom", type: "wecom", url: robotUrl, attempts: 3, backoff: "2s" },
      {
        id: "sms",
        type: "sms",
        url: smsUrl,
        body: '{"to":"{{mobile}}","content":"{{text}}"}',
        attempts: 2,
        backoff: "1s",
      },
    ],
    people: [{ id: "zhangwei", name: "张伟", mobile: "13800000001", channels: ["wecom", "sms"] }],
    roster: {
      roles: ["oncall"],
      months: rosterMonths(START, Date.now()).map((month) => ({ month, duty: { oncall: ["zhangwei"] } })),
    },
    policies: { major: { steps: [{ after: 0, notify: ["oncall"] }] } },
  };
}

describe("delivery you can trust: retries with backoff, fallback to the next channel, failures visible", () => {
  let robot: Receiver;
  let sms: Receiver;
  let urls: [string, string];
  beforeEach(async () => {
    robot = new Receiver('{"errcode":0,"errmsg":"ok"}');
    sms = new Receiver('{"code":0}');
    urls = [await robot.start(), await sms.start()];
  });
  afterEach(async () => {
    await robot.close();
    await sms.close();
  });

  it("a robot answering 502 is retried after 2 s and 4 s, then the page falls back to SMS", async () => {
    robot.answer = () => ({ status: 502, body: "bad gateway" });
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    const clock = h.clock as ManualClock;
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    expect([robot.requests.length, sms.requests.length]).toEqual([1, 0]);
    clock.advance(1999);
    await h.paging.settle();
    expect(robot.requests.length).toBe(1); // backoff respected
    clock.advance(1);
    await h.paging.settle();
    expect(robot.requests.length).toBe(2);
    clock.advance(4000);
    await h.paging.settle();
    expect([robot.requests.length, sms.requests.length]).toEqual([3, 1]);

    const { pages } = await h.get("/api/v1/pages");
    expect(pages).toEqual([
      expect.objectContaining({
        status: "sent",
        person: "zhangwei",
        sent_channel: "sms",
        channels: ["wecom", "sms"],
        last_error: "HTTP 502: bad gateway",
      }),
    ]);
    expect(pages[0].history.map((a: { channel: string; ok: boolean }) => `${a.channel}:${a.ok}`)).toEqual([
      "wecom:false",
      "wecom:false",
      "wecom:false",
      "sms:true",
    ]);
    const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('watchfloor_page_delivery_failures_total{channel="wecom"} 3');
    expect(metrics).toContain('watchfloor_pages_sent_total{channel="sms",result="sent"} 1');
    expect(metrics).toContain("watchfloor_page_queue_pending 0");
    const faultId = h.ctx.faults.liveFaults()[0]!.id;
    const fallback = (await h.store.audit({ faultId })).find((e) => e.action === "page.fallback");
    expect(fallback?.detail).toMatchObject({ from: "wecom", to: "sms", attempts: 3 });
    await h.close();
  });

  it("a robot that refuses the message (bad signature) falls back at once, without retrying", async () => {
    robot.answer = () => ({ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' });
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    expect([robot.requests.length, sms.requests.length]).toEqual([1, 1]);
    await h.close();
  });

  it("when every channel fails the page is marked failed, listed by the API and counted", async () => {
    robot.answer = () => ({ status: 500, body: "down" });
    sms.answer = () => ({ status: 503, body: "down" });
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    const clock = h.clock as ManualClock;
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    for (let i = 0; i < 6; i++) {
      await h.paging.settle();
      clock.advance(10_000);
    }
    expect([robot.requests.length, sms.requests.length]).toEqual([3, 2]);
    const failed = (await h.get("/api/v1/pages?status=failed")).pages;
    expect(failed).toEqual([
      expect.objectContaining({
        status: "failed",
        channel: "sms",
        attempts: 2,
        last_error: "HTTP 503: down",
      }),
    ]);
    const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('watchfloor_pages_sent_total{channel="sms",result="failed"} 1');
    expect((await h.store.audit()).some((e) => e.action === "page.failed")).toBe(true);
    await h.close();
  });

  it("a page waiting for a retry is cancelled, not sent, once its fault is acknowledged", async () => {
    robot.answer = () => ({ status: 502, body: "bad gateway" });
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    const clock = h.clock as ManualClock;
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    const faultId = h.ctx.faults.liveFaults()[0]!.id;
    expect((await h.ctx.faults.dispatch({ type: "ack", at: clock.now(), fault: faultId, by: "eng" })).ok).toBe(true);
    clock.advance(60_000);
    await h.paging.settle();
    expect([robot.requests.length, sms.requests.length]).toEqual([1, 0]);
    expect((await h.get("/api/v1/pages")).pages).toEqual([
      expect.objectContaining({ status: "cancelled", attempts: 1 }),
    ]);
    expect((await h.store.audit({ faultId })).map((e) => e.action)).toContain("page.cancel");
    await h.close();
  });

  it("an unreachable receiver (connection refused) is retried like a 5xx", async () => {
    await robot.close();
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    const [page] = (await h.get("/api/v1/pages")).pages;
    expect(page).toMatchObject({ status: "pending", channel: "wecom", attempts: 1 });
    expect(page.last_error).toMatch(/^127\.0\.0\.1:\d+: /);
    await h.close();
    robot = new Receiver(); // afterEach closes it
    await robot.start();
  });
});
