import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import { ManualClock } from "../../common/clock.ts";
import { tempDir } from "../harness/process.ts";
import { notifications, pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const MIN = 60_000;
const sla = policySchema.parse({ classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] } });
const policies = { major: { steps: [{ after: 0, notify: ["oncall"], repeat: { every: "5m", times: 1 } }], breach: ["oncall"] } };

/**
 * The at-most-once boundary of paging: a page claimed (`sending`) and handed to its channel by a
 * collector that died before the channel answered. The next collector on the store (a restart, or the
 * standby taking over) does not send it again; it says so in the record, and the escalation goes on.
 * The state below is the one such a crash leaves (the SIGKILL itself: test/e2e/ha-failover.test.ts).
 */
describe("a page in doubt after a crash is not sent again", () => {
  let hook: Receiver;
  let url: string;
  beforeEach(async () => {
    hook = new Receiver();
    url = await hook.start();
  });
  afterEach(async () => {
    await hook.close();
  });

  it("becomes unconfirmed (audited, visible in the API), is not re-sent, and the next step still comes", async () => {
    const dbFile = join(tempDir("wf-in-doubt-"), "collector.db");
    const clock = new ManualClock(START);
    const boot = () => pagingCollector({ notifications: notifications({ hook: url }, policies), policy: sla, dbFile, clock });

    let h = await boot();
    // Paging's own loop off, so this test alone decides what happens to the page.
    await h.paging.stop();
    await h.condition("ups-1", "ups.on_battery", "firing", START);
    await h.paging.plan();
    const [queued] = await h.paging.queue.list({ status: "pending" });
    expect(queued).toBeDefined();
    // What the sender writes right before it hands the page to the channel; then the process dies.
    expect(await h.paging.queue.claim(queued!.id, clock.now())).toBe(true);
    expect(await h.paging.queue.claim(queued!.id, clock.now())).toBe(false); // claimed once only
    await h.close();
    expect(hook.requests).toHaveLength(0);

    clock.set(START + MIN);
    h = await boot();
    await h.paging.settle();
    expect(hook.requests).toHaveLength(0);
    const unconfirmed = await h.get("/api/v1/pages?status=unconfirmed");
    expect(unconfirmed.pages.map((p: { id: number; status: string }) => [p.id, p.status])).toEqual([[queued!.id, "unconfirmed"]]);
    const faultId = h.ctx.faults.liveFaults()[0]!.id;
    expect((await h.store.audit({ faultId })).map((e) => e.action)).toContain("page.unconfirmed");

    // Nobody acknowledged: the 5-minute re-page goes out as planned.
    clock.set(START + 5 * MIN);
    await h.paging.settle();
    expect(hook.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind)).toEqual(["repeat"]);
    await h.close();
  });
});
