import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema, verifyAuditChain } from "../../collector/domain/index.ts";
import { ManualClock } from "../../common/clock.ts";
import { tempDir } from "../harness/process.ts";
import { notifications, pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const MIN = 60_000;
const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] },
});
const policies = {
  major: {
    steps: [
      { after: 0, notify: ["oncall"], repeat: { every: "5m", times: 2 } },
      { after: "15m", notify: ["lead"] },
    ],
    breach: ["oncall"],
  },
};

describe("a collector restart in the middle of an escalation", () => {
  let hook: Receiver;
  let url: string;
  let dir: string;
  beforeEach(async () => {
    hook = new Receiver();
    url = await hook.start();
    dir = tempDir("wf-paging-restart-");
  });
  afterEach(async () => {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const summary = () =>
    hook.requests
      .map((r) => JSON.parse(r.body) as { person: { id: string }; kind: string })
      .map((p) => `${p.person.id} ${p.kind}`);

  it("neither loses nor repeats a step: across a quick restart, a restart spanning a step, and a crash between queueing and sending", async () => {
    const dbFile = join(dir, "collector.db");
    const clock = new ManualClock(START);
    const boot = () =>
      pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla, dbFile, clock });

    let h = await boot();
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    clock.set(START + 5 * MIN);
    await h.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat"]);
    clock.set(START + 7 * MIN);
    await h.close();

    // Back at 7 min: the page and the 5-min re-page were taken, so nothing goes out again.
    h = await boot();
    await h.paging.settle();
    expect(summary()).toHaveLength(2);
    // The 10-min re-page is queued, then the collector dies before sending it.
    clock.set(START + 10 * MIN);
    await h.paging.plan();
    await h.close();
    expect(summary()).toHaveLength(2);

    // Down from 10 to 16 min, across the 15-min escalation: on return the queued re-page is sent and the
    // escalation is taken late, once.
    clock.set(START + 16 * MIN);
    h = await boot();
    await h.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat", "zhangwei repeat", "chenjing escalate"]);
    clock.set(START + 20 * MIN);
    await h.paging.settle();
    expect(summary()).toHaveLength(4);
    const faultId = h.ctx.faults.liveFaults()[0]!.id;
    expect((await h.store.audit({ faultId })).filter((e) => e.action === "page.sent")).toHaveLength(4);
    // Paging's entries join the same hash chain, and it still verifies.
    expect(verifyAuditChain(await h.store.audit(), await h.store.auditHead())).toMatchObject({ ok: true });
    await h.close();
  });

  it("steps overtaken while the collector was down are recorded as skipped, and only the latest is sent", async () => {
    const dbFile = join(dir, "collector.db");
    const clock = new ManualClock(START);
    let h = await pagingCollector({
      notifications: notifications({ hook: url }, policies),
      policy: sla,
      dbFile,
      clock,
    });
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.settle();
    await h.close();
    clock.set(START + 12 * MIN);
    h = await pagingCollector({
      notifications: notifications({ hook: url }, policies),
      policy: sla,
      dbFile,
      clock,
    });
    await h.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat"]);
    const faultId = h.ctx.faults.liveFaults()[0]!.id;
    expect(
      (await h.store.audit({ faultId }))
        .filter((e) => e.action === "page.skip")
        .map((e) => (e.detail as { step: string }).step),
    ).toEqual(["e0:step:0:1"]);
    await h.close();
  });
});
