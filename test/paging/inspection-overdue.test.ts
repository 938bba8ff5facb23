import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadTemplates } from "../../collector/inspections/templates.ts";
import { ManualClock } from "../../common/clock.ts";
import { ROOT } from "../harness/process.ts";
import { notifications, pagingCollector } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const templates = loadTemplates(join(ROOT, "config/inspections"), { devices: [{ id: "ups-1" }] as never[], zones: [] }).templates.filter(
  (t) => t.id === "daily-server-room",
);

describe("an overdue inspection round pages the on-call person once", () => {
  let hook: Receiver;
  let url: string;
  beforeEach(async () => {
    hook = new Receiver();
    url = await hook.start();
  });
  afterEach(async () => {
    await hook.close();
  });

  it("due 12:00 (09:00 + 3 h): no page at 12:00, one page after, none on later ticks; audited", async () => {
    const h = await pagingCollector({
      notifications: notifications({ hook: url }, { general: { steps: [{ after: 0, notify: ["oncall"] }] } }),
      templates,
      clock: new ManualClock(Date.parse("2026-11-25T08:00:00+08:00")), // installed at 08:00
    });
    const clock = h.clock as ManualClock;
    clock.set(Date.parse("2026-11-25T09:00:00+08:00"));
    expect((await h.ctx.inspections.tick()).created).toHaveLength(1);
    clock.set(Date.parse("2026-11-25T12:00:00+08:00"));
    expect((await h.ctx.inspections.tick()).overdue).toEqual([]);
    clock.advance(1);
    expect((await h.ctx.inspections.tick()).overdue).toHaveLength(1);
    await h.paging.settle();
    await hook.received(1);
    const page = hook.json(0);
    expect(page).toMatchObject({ kind: "inspection_overdue", title: "巡检超时：机房日巡检", person: { id: "zhangwei" } });
    expect(String(page.text)).toContain("应于 2026-11-25 12:00 前完成，尚无人领取");
    clock.advance(60_000);
    expect((await h.ctx.inspections.tick()).overdue).toEqual([]);
    await h.paging.settle();
    expect(hook.requests).toHaveLength(1);
    expect((await h.store.audit()).filter((e) => e.action === "inspection.overdue")).toHaveLength(1);
    await h.close();
  });
});
