import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import { ROSTER_DEVICE } from "../../collector/paging/service.ts";
import { ManualClock } from "../../common/clock.ts";
import { pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const sla = policySchema.parse({ classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] } });

/**
 * The roster holds November 2026 only (START is 2026-11-25 09:00 Shanghai): December's schedule is due
 * from 7 days before its first duty day. Both people are reached through local webhook receivers.
 */
function config(oncallUrl: string, dutyRoomUrl: string) {
  return {
    ack: { secret: "k" },
    channels: [
      { id: "zhang-hook", type: "webhook", url: oncallUrl },
      { id: "duty-room-hook", type: "webhook", url: dutyRoomUrl },
    ],
    people: [
      { id: "zhangwei", name: "张伟", channels: ["zhang-hook"] },
      { id: "duty-room", name: "值班室", channels: ["duty-room-hook"] },
    ],
    roster: { roles: ["oncall"], months: [{ month: "2026-11", duty: { oncall: ["zhangwei"] } }] },
    fallback: ["duty-room"],
    policies: {
      major: { steps: [{ after: 0, notify: ["oncall"] }] },
      general: { steps: [{ after: 0, notify: ["oncall"] }] },
    },
  };
}

describe("a roster that runs out is a fault days before, and pages the fallback once it has", () => {
  let oncall: Receiver;
  let dutyRoom: Receiver;
  let urls: [string, string];
  beforeEach(async () => {
    oncall = new Receiver();
    dutyRoom = new Receiver();
    urls = [await oncall.start(), await dutyRoom.start()];
  });
  afterEach(async () => {
    await oncall.close();
    await dutyRoom.close();
  });

  it("raises roster.missing{month=2026-12} six days ahead and pages November's on-call about it", async () => {
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    await h.paging.settle();
    const missing = h.ctx.faults.liveFaults().filter((f) => f.condition === "roster.missing");
    expect(missing).toEqual([
      expect.objectContaining({ device: ROSTER_DEVICE, labels: { month: "2026-12" }, status: "open", openedAt: START }),
    ]);
    await oncall.received(1);
    expect((oncall.json(0) as { title: string }).title).toContain("2026-12");
    expect(dutyRoom.requests).toHaveLength(0);
    // Checked again later: the same month is not raised twice.
    (h.clock as ManualClock).advance(3_600_000);
    await h.paging.settle();
    expect(h.ctx.faults.liveFaults().filter((f) => f.condition === "roster.missing")).toHaveLength(1);
    await h.close();
  });

  it("in December, with no schedule, a UPS fault pages the fallback instead of nobody", async () => {
    const h = await pagingCollector({ notifications: config(...urls), policy: sla });
    const clock = h.clock as ManualClock;
    clock.set(Date.parse("2026-12-01T09:00:00+08:00"));
    await h.paging.settle();
    // (On start, still in November, the roster.missing fault for December went to November's on-call.)
    const [oncallBefore, before] = [oncall.requests.length, dutyRoom.requests.length];
    await h.condition("ups-1", "ups.on_battery", "firing", clock.now());
    await h.paging.settle();
    await dutyRoom.received(before + 1);
    const page = dutyRoom.json(before) as { title: string; person: { id: string } };
    expect(page.person.id).toBe("duty-room");
    expect(page.title).toContain("[重大]");
    expect(oncall.requests).toHaveLength(oncallBefore);
    await h.close();
  });

  it("a restart with the month uploaded clears roster.missing", async () => {
    const file = `${(await import("node:os")).tmpdir()}/wf-roster-${process.pid}-${Date.now()}.db`;
    const first = await pagingCollector({ notifications: config(...urls), policy: sla, dbFile: file });
    await first.paging.settle();
    await first.close();
    const fixed = config(...urls);
    fixed.roster.months.push({ month: "2026-12", duty: { oncall: ["zhangwei"] } });
    const second = await pagingCollector({
      notifications: fixed,
      policy: sla,
      dbFile: file,
      clock: new ManualClock(START + 3_600_000),
    });
    await second.paging.settle();
    const missing = second.ctx.faults.liveFaults().filter((f) => f.condition === "roster.missing");
    expect(missing.map((f) => [f.labels.month, f.status])).toEqual([["2026-12", "resolved"]]);
    await second.close();
  });
});
