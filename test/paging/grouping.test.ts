import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Inventory, policySchema } from "../../collector/domain/index.ts";
import type { ManualClock } from "../../common/clock.ts";
import { notifications, pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: ["ups.*", "device.unreachable"] }, class: "major" }] },
});
const policies = { major: { steps: [{ after: 0, notify: ["oncall", "lead"] }] } };
const inventory: Inventory = {
  devices: {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
    ...Object.fromEntries(
      ["sw-1", "sw-2", "sw-3"].map((id) => [
        id,
        { id, class: "network", criticality: "medium" as const, dependsOn: ["core"] },
      ]),
    ),
  },
};

describe("grouping and dedupe", () => {
  let hook: Receiver;
  let url: string;
  beforeEach(async () => {
    hook = new Receiver();
    url = await hook.start();
  });
  afterEach(() => hook.close());
  const pages = () =>
    hook.requests.map(
      (r) => JSON.parse(r.body) as { person: { id: string }; title: string; text: string; faults: unknown[] },
    );

  it("many faults of one condition within the grouping wait go out as one page listing them", async () => {
    const h = await pagingCollector({
      notifications: notifications({ hook: url }, policies, { grouping: { wait: "10s" } }),
      policy: sla,
    });
    const clock = h.clock as ManualClock;
    for (const [i, ups] of ["ups-1", "ups-2", "ups-3"].entries())
      await h.condition(ups, "ups.on_battery", "firing", START + i * 2000);
    await h.paging.settle();
    expect(hook.requests).toHaveLength(0); // waiting for the group to fill
    clock.set(START + 12_000);
    await h.paging.settle();
    // One page per person, not three.
    expect(
      pages()
        .map((p) => p.person.id)
        .sort(),
    ).toEqual(["chenjing", "zhangwei"]);
    expect(pages()[0]!.title).toBe("[重大] 新故障 · ups.on_battery ×3");
    expect(pages()[0]!.faults).toHaveLength(3);
    for (const d of ["ups-1", "ups-2", "ups-3"]) expect(pages()[0]!.text).toContain(`设备: ${d}`);
    await h.close();
  });

  it("children folded under their parent ride in the parent's page instead of paging on their own", async () => {
    const h = await pagingCollector({
      notifications: notifications({ hook: url }, policies, { grouping: { wait: "10s" } }),
      policy: sla,
      inventory,
    });
    const clock = h.clock as ManualClock;
    await h.condition("core", "device.unreachable", "firing", START);
    for (const sw of ["sw-1", "sw-2", "sw-3"])
      await h.condition(sw, "device.unreachable", "firing", START + 3000);
    clock.set(START + 60_000);
    await h.paging.settle();
    expect(
      pages()
        .map((p) => p.person.id)
        .sort(),
    ).toEqual(["chenjing", "zhangwei"]);
    expect(pages()[0]!.title).toContain("(core)");
    expect(pages()[0]!.text).toContain(
      "关联故障 3 个: sw-1 device.unreachable; sw-2 device.unreachable; sw-3 device.unreachable",
    );
    await h.close();
  });

  it("one person holding two roles in a step gets the page once", async () => {
    const config = notifications({ hook: url }, policies);
    for (const m of config.roster.months) m.duty.lead = ["zhangwei"];
    const h = await pagingCollector({ notifications: config, policy: sla });
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    await h.paging.plan();
    await h.paging.settle();
    expect(pages().map((p) => p.person.id)).toEqual(["zhangwei"]);
    await h.close();
  });

  it("GET /api/v1/oncall names who holds each role now", async () => {
    const h = await pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla });
    const res = await h.get("/api/v1/oncall");
    expect(res).toEqual({
      at: "2026-11-25T09:00:00+08:00",
      duty_day: "2026-11-25",
      roles: [
        { role: "oncall", person: "zhangwei", name: "张伟", source: "schedule" },
        { role: "lead", person: "chenjing", name: "陈静", source: "schedule" },
        { role: "manager", person: "zhoumin", name: "周敏", source: "schedule" },
      ],
    });
    const anonymous = await h.app.inject({ method: "GET", url: "/api/v1/oncall" });
    expect(anonymous.statusCode).toBe(401);
    await h.close();
  });
});
