import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import type { ManualClock } from "../../common/clock.ts";
import { notifications, pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const MIN = 60_000;
const sla = policySchema.parse({
  classification: {
    rules: [
      { match: { condition: "ups.*" }, class: "major" },
      { match: { condition: "env.*" }, class: "severe" },
    ],
  },
});
const policies = {
  major: {
    steps: [
      { after: 0, notify: ["oncall"], repeat: { every: "5m", times: 2 } },
      { after: "15m", notify: ["lead"] },
      { after: "25m", notify: ["manager"] },
    ],
    breach: ["oncall"],
  },
  severe: {
    steps: [{ after: 0, notify: ["oncall"] }],
    reminders: [0.5, 0.8],
    remind: ["oncall"],
    breach: ["oncall", "lead"],
  },
};

describe("escalation with a simulated clock", () => {
  let hook: Receiver;
  let url: string;
  beforeEach(async () => {
    hook = new Receiver();
    url = await hook.start();
  });
  afterEach(() => hook.close());

  /** The pages received so far as "person kind", in order. */
  const pages = () =>
    hook.requests.map(
      (r) =>
        JSON.parse(r.body) as {
          person: { id: string };
          kind: string;
          title: string;
          text: string;
          ackUrl?: string;
        },
    );
  const summary = () => pages().map((p) => `${p.person.id} ${p.kind}`);

  it("major: pages on-call at once, re-pages at 5 and 10 min, escalates at 15 min, stops on the acknowledge link", async () => {
    const h = await pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla });
    const clock = h.clock as ManualClock;
    const at = async (ms: number) => {
      clock.set(START + ms);
      await h.paging.settle();
    };
    await h.condition("ups-1", "ups.on_battery", "firing", START, { title: "UPS 市电中断" });
    await at(0);
    expect(summary()).toEqual(["zhangwei page"]);
    const first = pages()[0]!;
    expect(first.title).toBe("[重大] 新故障 · UPS 市电中断 (ups-1)");
    expect(first.text).toContain("响应时限: 剩余30分 (2026-11-25 09:30:00 前)");
    expect(first.text).toContain("发生: 2026-11-25 09:00:00");
    expect(first.text).toContain("应急预案: YJ-03 UPS 及供电中断应急预案");
    expect(first.ackUrl).toMatch(/^https:\/\/watchfloor\.example\.gov\.cn\/ack\/[\w-]+\.[\w-]+$/);

    await at(5 * MIN - 1);
    expect(summary()).toHaveLength(1);
    await at(5 * MIN);
    await at(10 * MIN);
    await at(15 * MIN);
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat", "zhangwei repeat", "chenjing escalate"]);
    expect(pages()[2]!.title).toContain("未确认·第3次通知");

    // The link: GET only shows a button (chat apps prefetch links), POST acknowledges as the person paged.
    const path = new URL(pages()[3]!.ackUrl ?? pages()[2]!.ackUrl!).pathname;
    const shown = await h.app.inject({ method: "GET", url: path });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('<form method="post">');
    const faultId = (await h.get("/api/v1/faults")).faults[0].id as string;
    expect(h.ctx.faults.liveFault(faultId)!.status).toBe("open");
    clock.set(START + 16 * MIN);
    const acked = await h.app.inject({
      method: "POST",
      url: path,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "",
    });
    expect(acked.statusCode).toBe(200);
    expect(acked.body).toContain("已确认");
    expect(h.ctx.faults.liveFault(faultId)).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: "chenjing",
      acknowledgedAt: START + 16 * MIN,
    });

    await at(25 * MIN);
    await at(31 * MIN);
    expect(summary()).toHaveLength(4); // no manager page, no breach: answered in time
    // A used link only reports what happened.
    const again = await h.app.inject({
      method: "POST",
      url: path,
      payload: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(again.body).toContain("此前已确认或已处理");
    // Every page is in the fault's audit timeline.
    const trail = (await h.store.audit({ faultId })).map((e) => e.action);
    expect(trail.filter((a) => a === "page.queue")).toHaveLength(4);
    expect(trail.filter((a) => a === "page.sent")).toHaveLength(4);
    expect(trail).toContain("fault.ack");
    await h.close();
  });

  it("a forged or expired link acknowledges nothing", async () => {
    const h = await pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla });
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    const path = new URL(pages()[0]!.ackUrl!).pathname;
    const [payload, mac] = path.slice("/ack/".length).split(".");
    const forged = await h.app.inject({
      method: "POST",
      url: `/ack/${payload}.${mac!.slice(0, -2)}AA`,
      payload: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(forged.statusCode).toBe(403);
    (h.clock as ManualClock).advance(24 * 3600_000);
    const expired = await h.app.inject({
      method: "POST",
      url: path,
      payload: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(expired.statusCode).toBe(410);
    expect(h.ctx.faults.liveFaults()[0]!.status).toBe("open");
    await h.close();
  });

  it("severe: reminders at 50 % and 80 % of the 2 h deadline, and a breach notice at 2 h to on-call and lead", async () => {
    const h = await pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla });
    const clock = h.clock as ManualClock;
    await h.condition("env-1", "env.temperature_high", "firing", START, { title: "机房温度过高" });
    for (const m of [0, 59, 60, 95, 96, 119, 120, 150]) {
      clock.set(START + m * MIN);
      await h.paging.settle();
    }
    expect(summary()).toEqual([
      "zhangwei page",
      "zhangwei reminder",
      "zhangwei reminder",
      "zhangwei breach",
      "chenjing breach",
    ]);
    expect(pages()[1]!.title).toBe("[严重] 时限提醒·处理时限已过50% · 机房温度过高 (env-1)");
    expect(pages()[1]!.text).toContain("处理时限: 剩余1小时");
    expect(pages()[3]!.title).toBe("[严重] 已超时·处理时限 · 机房温度过高 (env-1)");
    expect(pages()[3]!.text).toContain("处理时限: 已超时0秒 (应于 2026-11-25 11:00:00 前)");
    await h.close();
  });
});
