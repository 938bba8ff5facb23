import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import { sendOn } from "../../collector/paging/channels/send.ts";
import { channelSchema } from "../../collector/paging/config.ts";
import type { ManualClock } from "../../common/clock.ts";
import { pagingCollector, rosterMonths, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

/** Half of a UTF-16 surrogate pair: what cutting an emoji in the middle leaves. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The vendors' cloud APIs (open.feishu.cn, qyapi.weixin.qq.com) cannot be reached from here, so a local
 * HTTP receiver answers as each robot documents it answers: Feishu's rate-limit code 11232 ("frequency
 * limited"), WeCom's limit of 2048 bytes of text.
 */
const sla = policySchema.parse({ classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] } });

function config(type: "feishu" | "wecom", url: string) {
  return {
    ack: { secret: "k" },
    channels: [{ id: "robot", type, url, attempts: 3, backoff: "2s" }],
    people: [{ id: "zhangwei", name: "张伟", mobile: "13800000001", channels: ["robot"] }],
    roster: {
      roles: ["oncall"],
      months: rosterMonths(START, Date.now()).map((month) => ({ month, duty: { oncall: ["zhangwei"] } })),
    },
    policies: { major: { steps: [{ after: 0, notify: ["oncall"] }] } },
  };
}

describe("paging follows each robot's documented answers and limits", () => {
  let robot: Receiver;
  let url: string;
  beforeEach(async () => {
    robot = new Receiver();
    url = await robot.start();
  });
  afterEach(async () => {
    await robot.close();
  });

  it("Feishu answering 11232 (frequency limited) is retried with back-off until it accepts", async () => {
    // Feishu's limit answers come with HTTP 200 or 400; both must be retried.
    const answers = [
      { status: 200, body: '{"code":11232,"msg":"frequency limited"}' },
      { status: 400, body: '{"code":11232,"msg":"frequency limited"}' },
      { status: 200, body: '{"code":0,"msg":"success","data":{}}' },
    ];
    robot.answer = (_r, i) => answers[i]!;
    const h = await pagingCollector({ notifications: config("feishu", url), policy: sla });
    const clock = h.clock as ManualClock;
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(1);
    clock.advance(1999);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(1); // backs off, does not hammer a rate-limited robot
    clock.advance(1);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(2);
    clock.advance(4000);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(3);
    const { pages } = await h.get("/api/v1/pages");
    expect(pages).toEqual([expect.objectContaining({ status: "sent", sent_channel: "robot", attempts: 3 })]);
    expect(pages[0].history.map((a: { ok: boolean; error?: string }) => a.error ?? "ok")).toEqual([
      "feishu rate limited (11232): frequency limited",
      "feishu rate limited (11232): frequency limited",
      "ok",
    ]);
    await h.close();
  });

  it("a 3,000-character title reaches WeCom cut to 2048 bytes, valid UTF-8, with the acknowledge link", async () => {
    // Sent through the WeCom channel itself: ingest caps one event's title at 512 characters, but a page
    // lists every fault of a group and their runbooks, so a robot's text can be this long.
    robot.answer = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const title = "市电中断🔋".repeat(600); // 3,000 characters (code points), 9,600 bytes in UTF-8
    expect([...title]).toHaveLength(3000);
    const ackUrl = "https://watchfloor.example.gov.cn/ack/eyJmYXVsdHMiOlsiRi0xIl19.c2lnbmF0dXJl";
    const channel = channelSchema.parse({ id: "robot", type: "wecom", url });
    const result = await sendOn(
      channel,
      { kind: "page", title, text: `[重大] ${title}\n故障 F-1 · 重大故障 · ${title}\n确认(开始远程支持): ${ackUrl}`, ackUrl, faults: [] },
      { id: "zhangwei", name: "张伟", mobile: "13800000001" },
      START,
    );
    expect(result).toEqual({ ok: true });
    const raw = Buffer.from(robot.requests[0]!.body, "utf8");
    new TextDecoder("utf-8", { fatal: true }).decode(raw); // throws on invalid UTF-8
    const content = (robot.json(0) as { text: { content: string } }).text.content;
    expect(Buffer.byteLength(content, "utf8")).toBeLessThanOrEqual(2048);
    expect(content).not.toMatch(LONE_SURROGATE);
    expect(content.startsWith("[重大] 市电中断🔋")).toBe(true);
    expect(content.endsWith(`…\n确认(开始远程支持): ${ackUrl}`)).toBe(true);
  });

  it("holds pages back to WeCom's 20 a minute instead of spending attempts on refusals", async () => {
    robot.answer = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const h = await pagingCollector({ notifications: config("wecom", url), policy: sla });
    const clock = h.clock as ManualClock;
    for (let i = 0; i < 22; i++) await h.condition(`ups-${i}`, "ups.on_battery", "firing", START);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(20);
    clock.advance(60_000);
    await h.paging.settle();
    expect(robot.requests).toHaveLength(22);
    const { pages } = await h.get("/api/v1/pages?status=sent");
    expect(pages).toHaveLength(22);
    await h.close();
  });
});
