import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import { signAckToken } from "../../collector/paging/ack-token.ts";
import type { ManualClock } from "../../common/clock.ts";
import { pagingCollector, postStorm, rosterMonths, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

/**
 * A storm pages as one group per step. The vendors' cloud robots cannot be reached from here, so local
 * HTTP receivers answer as each documents it answers (errcode 0 / code 0) and record what was sent;
 * each robot's limit is the vendor's documented one (WeCom: text.content ≤ 2048 bytes; Feishu: request
 * body ≤ 20 KB; DingTalk documents none, our cap is 20,000 bytes), written here as the vendor states it,
 * not read from the code under test.
 */
const WECOM_TEXT_BYTES = 2048;
const DINGTALK_TEXT_BYTES = 20_000;
const FEISHU_BODY_BYTES = 20 * 1024;
const PUBLIC_URL = "https://watchfloor.example.gov.cn";

const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: ["device.unreachable", "ups.*"] }, class: "major" }] },
});

function config(urls: { wecom: string; dingtalk: string; feishu: string }) {
  return {
    ack: { secret: "ack-secret-for-tests", ttl: "24h" },
    grouping: { wait: "10s" },
    channels: [
      { id: "wecom", type: "wecom", url: urls.wecom, attempts: 1 },
      { id: "dingtalk", type: "dingtalk", url: urls.dingtalk, sign: "SEC-test", attempts: 1 },
      { id: "feishu", type: "feishu", url: urls.feishu, sign: "feishu-test", attempts: 1 },
    ],
    people: [
      { id: "zhangwei", name: "张伟", mobile: "13800000001", channels: ["wecom"] },
      { id: "chenjing", name: "陈静", mobile: "13800000004", channels: ["dingtalk"] },
      { id: "zhoumin", name: "周敏", mobile: "13800000005", channels: ["feishu"] },
    ],
    roster: {
      roles: ["oncall", "lead", "manager"],
      months: rosterMonths(START, Date.now()).map((month) => ({
        month,
        duty: { oncall: ["zhangwei"], lead: ["chenjing"], manager: ["zhoumin"] },
      })),
    },
    policies: {
      major: { steps: [{ after: 0, notify: ["oncall", "lead", "manager"] }, { after: "5m", notify: ["oncall"] }] },
    },
  };
}

const post = (h: Awaited<ReturnType<typeof pagingCollector>>, path: string) =>
  h.app.inject({ method: "POST", url: path, payload: "", headers: { "content-type": "application/x-www-form-urlencoded" } });

describe("a storm's page: the link kept, short and working; the list cut to the robot's limit", () => {
  let robots: { wecom: Receiver; dingtalk: Receiver; feishu: Receiver };
  let urls: { wecom: string; dingtalk: string; feishu: string };
  beforeEach(async () => {
    robots = {
      wecom: new Receiver('{"errcode":0,"errmsg":"ok"}'),
      dingtalk: new Receiver('{"errcode":0,"errmsg":"ok"}'),
      feishu: new Receiver('{"code":0,"msg":"success","data":{}}'),
    };
    urls = { wecom: await robots.wecom.start(), dingtalk: await robots.dingtalk.start(), feishu: await robots.feishu.start() };
  });
  afterEach(async () => {
    for (const r of Object.values(robots)) await r.close();
  });

  /** What each robot received, as the text a person reads and its size against the vendor's limit. */
  const received = () =>
    [
    { robot: "wecom", text: (robots.wecom.json(0) as { text: { content: string } }).text.content, bytes: 0, limit: WECOM_TEXT_BYTES },
    // DingTalk's text ends with the @mention of the person's mobile (its documented way to highlight one).
    { robot: "dingtalk", text: (robots.dingtalk.json(0) as { text: { content: string } }).text.content, bytes: 0, limit: DINGTALK_TEXT_BYTES },
    { robot: "feishu", text: (robots.feishu.json(0) as { content: { text: string } }).content.text, bytes: 0, limit: FEISHU_BODY_BYTES },
  ].map((r) => ({
    ...r,
    // WeCom and DingTalk limit the text; Feishu the whole request body.
    bytes: r.robot === "feishu" ? Buffer.byteLength(robots.feishu.requests[0]!.body) : Buffer.byteLength(r.text),
  }));

  for (const size of [150, 1500]) {
    it(`${size} device.unreachable faults: every robot's page fits its limit, lists what fits, says how many more, and its link acknowledges all ${size}`, async () => {
      const h = await pagingCollector({ notifications: config(urls), policy: sla, publicUrl: PUBLIC_URL });
      const clock = h.clock as ManualClock;
      await postStorm(h.app, size, "firing", START);
      clock.set(START + 11_000);
      await h.paging.settle();
      const ids = h.ctx.faults.liveFaults().map((f) => f.id);
      expect(ids).toHaveLength(size);
      const links = new Map<string, string>();
      for (const r of received()) {
        expect(r.bytes, r.robot).toBeLessThanOrEqual(r.limit);
        if (r.robot === "dingtalk") {
          expect(r.text.endsWith("\n@13800000004")).toBe(true);
          r.text = r.text.slice(0, -"\n@13800000004".length);
        }
        expect(r.text, r.robot).toContain(`device.unreachable ×${size}`);
        const link = new RegExp(`确认\\(开始远程支持\\): (${PUBLIC_URL}/ack/[\\w-]+\\.[\\w-]+)$`).exec(r.text);
        expect(link, `${r.robot}: the link is the text's last line`).not.toBeNull();
        // A group id, not 1,500 fault ids: short enough for any robot, server and phone.
        expect(link![1]!.length, r.robot).toBeLessThan(200);
        links.set(r.robot, new URL(link![1]!).pathname);
        const listed = [...r.text.matchAll(/^故障 (F-[\w-]+) · /gm)].map((m) => m[1]!);
        expect(listed.length, r.robot).toBeGreaterThan(0);
        expect(new Set(listed).size).toBe(listed.length);
        for (const id of listed) expect(ids).toContain(id);
        if (listed.length < size) expect(r.text, r.robot).toContain(`\n\n…及其他 ${size - listed.length} 条 / and ${size - listed.length} more\n`);
        else expect(r.text).not.toContain("及其他");
      }
      // WeCom's 2048 bytes take a handful of faults; the list is cut, never the link.
      expect([...received()[0]!.text.matchAll(/^故障 /gm)].length).toBeLessThan(size);
      expect(new Set(links.values()).size).toBe(3); // one per person

      // One tap on the WeCom link acknowledges every fault of the group, as 张伟.
      const shown = await h.app.inject({ method: "GET", url: links.get("wecom")! });
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain("张伟，请确认以下故障");
      const acked = await post(h, links.get("wecom")!);
      expect(acked.statusCode).toBe(200);
      expect(acked.body.match(/：已确认/g)).toHaveLength(size);
      const faults = h.ctx.faults.liveFaults();
      expect(faults.filter((f) => f.status === "acknowledged" && f.acknowledgedBy === "zhangwei")).toHaveLength(size);
      // Another person's link now finds them answered.
      const again = await post(h, links.get("dingtalk")!);
      expect(again.body.match(/此前已确认或已处理（张伟）/g)).toHaveLength(size);
      await h.close();
    }, 120_000);
  }

  it("storm paging's audit grows with the faults, not their square: each page.queue names its group, not every id", async () => {
    /** page.* audit rows and bytes (detail JSON) a storm of `size` faults writes for its first page. */
    const firstPage = async (size: number) => {
      const h = await pagingCollector({ notifications: config(urls), policy: sla, publicUrl: PUBLIC_URL });
      await postStorm(h.app, size, "firing", START);
      (h.clock as ManualClock).set(START + 11_000);
      await h.paging.settle();
      const db = h.store.db.sqlite!;
      const audit = db
        .prepare("SELECT count(*) AS rows, sum(length(detail)) AS bytes FROM audit WHERE action LIKE 'page.%'")
        .get() as { rows: number; bytes: number };
      const queued = db.prepare("SELECT detail FROM audit WHERE action = 'page.queue' LIMIT 1").get() as { detail: string };
      const groups = db.prepare("SELECT id, fault_ids FROM page_groups").all() as Array<{ id: string; fault_ids: string }>;
      await h.close();
      return { ...audit, queued: JSON.parse(queued.detail), groups };
    };
    const small = await firstPage(150);
    const big = await firstPage(1500);
    // page.queue for each fault, page.sent per fault per person (3).
    expect(small.rows).toBe(150 * 4);
    expect(big.rows).toBe(1500 * 4);
    // The group is one row holding its ids once; the entry names it by id and size.
    expect(big.groups).toHaveLength(1);
    expect(JSON.parse(big.groups[0]!.fault_ids)).toHaveLength(1500);
    expect(big.queued).toMatchObject({ group: big.groups[0]!.id, group_size: 1500 });
    expect(JSON.stringify(big.queued).length).toBeLessThan(400);
    // Bytes per fault flat from 150 to 1,500 faults (ids grow a digit: allow 25 %); before, 9.2x.
    const perFault = (a: { bytes: number }, n: number) => a.bytes / n;
    expect(perFault(big, 1500) / perFault(small, 150)).toBeLessThan(1.25);
  }, 120_000);

  it("an old link on a reopened fault acknowledges nothing: it was for an earlier occurrence", async () => {
    const h = await pagingCollector({ notifications: config(urls), policy: sla, publicUrl: PUBLIC_URL });
    const clock = h.clock as ManualClock;
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    clock.set(START + 11_000);
    await h.paging.settle();
    const oldLink = new URL(/\S+\/ack\/\S+$/.exec((robots.wecom.json(0) as { text: { content: string } }).text.content)![0]).pathname;
    const id = h.ctx.faults.liveFaults()[0]!.id;
    // A legacy link (fault ids, signed before groups were stored) issued now, for the same occurrence.
    const legacy = `/ack/${signAckToken({ faults: [id], person: "chenjing", expires: clock.now() + 24 * 3600_000 }, "ack-secret-for-tests")}`;
    expect((await post(h, oldLink)).body).toContain("已确认");
    expect(h.ctx.faults.liveFault(id)).toMatchObject({ status: "acknowledged", acknowledgedBy: "zhangwei" });
    // Mains back: resolved. Mains off again within the reopen window: the same fault reopens.
    await h.condition("ups-1", "ups.on_battery", "clear", START + 60_000);
    clock.set(START + 60_000);
    await h.condition("ups-1", "ups.on_battery", "firing", START + 120_000);
    clock.set(START + 120_000);
    expect(h.ctx.faults.liveFault(id)).toMatchObject({ status: "open", reopenCount: 1 });
    for (const link of [oldLink, legacy]) {
      const shown = await h.app.inject({ method: "GET", url: link });
      expect(shown.statusCode).toBe(409);
      expect(shown.body).toContain("此链接针对该故障较早的一次发生");
      const res = await post(h, link);
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain("此链接针对该故障较早的一次发生，不能确认本次 (this link is for an earlier occurrence)");
      expect(res.body).not.toContain("：已确认");
      expect(h.ctx.faults.liveFault(id)).toMatchObject({ status: "open" });
    }
    // The reopened fault's own page carries a new link, and that one works.
    clock.set(START + 131_000);
    await h.paging.settle();
    const newLink = new URL(/\S+\/ack\/\S+$/.exec((robots.wecom.json(1) as { text: { content: string } }).text.content)![0]).pathname;
    expect(newLink).not.toBe(oldLink);
    expect((await post(h, newLink)).statusCode).toBe(200);
    expect(h.ctx.faults.liveFault(id)).toMatchObject({ status: "acknowledged", acknowledgedBy: "zhangwei" });
    await h.close();
  }, 60_000);
});
