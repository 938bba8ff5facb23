import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Sender } from "../../agent/outbox/sender.ts";
import { Secret } from "../../common/config/secret.ts";
import { SqlLeaseStore } from "../../collector/cluster/lease-store.ts";
import type { LeaseStore } from "../../collector/cluster/node.ts";
import { policySchema } from "../../collector/domain/index.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { ManualClock } from "../../common/clock.ts";
import { tempDir, until } from "../harness/process.ts";
import { AGENT_TOKEN, notifications, pagingCollector, START } from "../paging/harness.ts";
import { Receiver } from "../paging/receiver.ts";

/**
 * Two collectors on one store, in one process: the lease, the standby's refusals, the takeover and the
 * escalation resumed by the new active. Short lease timings (the config's floor of 10 s is for
 * production; the rule is the same). The SIGKILL of a real process is test/e2e/ha-failover.test.ts.
 */
const MIN = 60_000;
const SETTINGS = { heartbeatSeconds: 0.1, failoverSeconds: 1 };
const sla = policySchema.parse({ classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] } });
const policies = {
  major: { steps: [{ after: 0, notify: ["oncall"], repeat: { every: "5m", times: 3 } }], breach: ["oncall"] },
};

/** A lease store whose database connection can be cut (the node's view of a database outage). */
class CuttableLeaseStore implements LeaseStore {
  cut = false;
  constructor(private inner: LeaseStore) {}
  private check() {
    if (this.cut) throw new Error("connection to the database lost");
  }
  judge: LeaseStore["judge"] = async (...a) => (this.check(), this.inner.judge(...a));
  release: LeaseStore["release"] = async (...a) => (this.check(), this.inner.release(...a));
  beat: LeaseStore["beat"] = async (...a) => (this.check(), this.inner.beat(...a));
  status: LeaseStore["status"] = async () => (this.check(), this.inner.status());
  // On the store's own connection (the transaction's), not the lease store's: not cut.
  holds: LeaseStore["holds"] = (...a) => this.inner.holds(...a);
}

describe("two collectors on one store: active and standby", () => {
  let hook: Receiver;
  let dir: string;
  const open: Array<() => Promise<unknown> | unknown> = [];
  beforeEach(async () => {
    hook = new Receiver();
    dir = tempDir("wf-cluster-");
  });
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
    await hook.close();
  });

  async function node(nodeId: string, dbFile: string, clock: ManualClock, url: string) {
    // The lease on a connection of its own to the same file (the store migrates it: the tables exist).
    const leaseDb = StoreDb.sqlite(dbFile);
    const leaseStore = new CuttableLeaseStore(new SqlLeaseStore(leaseDb.q, "sqlite"));
    const h = await pagingCollector({
      notifications: notifications({ hook: url }, policies),
      policy: sla,
      dbFile,
      clock,
      cluster: { nodeId, address: () => `http://${nodeId}.example:8480`, settings: SETTINGS, leaseStore },
    });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await h.close();
      await leaseDb.close();
    };
    open.push(close);
    return { ...h, leaseStore, close, node: h.cluster! };
  }

  const summary = () => hook.requests.map((r) => JSON.parse(r.body) as { person: { id: string }; kind: string }).map((p) => `${p.person.id} ${p.kind}`);
  const post = (h: Awaited<ReturnType<typeof node>>, id: string) =>
    h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: {
        agent: "agent-1",
        // A general fault: this test's paging policy pages majors only.
        events: [{ id, type: "condition", device: "sw-9", condition: "if.down", labels: { ifname: "Gi0/1" }, state: "firing", observedAt: new Date(START + MIN).toISOString() }],
      },
    });

  /** collector-a started first (active), then collector-b, on one store file and one clock. */
  async function pair() {
    const url = await hook.start();
    const dbFile = join(dir, "collector.db");
    const clock = new ManualClock(START);
    const a = await node("collector-a", dbFile, clock, url);
    await until("a is active", () => a.node.isActive(), 5000, 10);
    const b = await node("collector-b", dbFile, clock, url);
    return { a, b, clock };
  }

  it("the standby refuses with 503 naming the active; on the active's stop it takes over, loads the faults, and resumes the escalation without a doubled page", async () => {
    const { a, b, clock } = await pair();
    await new Promise((r) => setTimeout(r, 300)); // three of b's heartbeats
    expect(b.node.isActive()).toBe(false);

    const refused = await post(b, "event-at-standby");
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: "standby", node: "collector-b", active: { node: "collector-a", address: "http://collector-a.example:8480" } });
    expect(refused.json().message).toContain("the active collector is collector-a at http://collector-a.example:8480");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    const faultsAtStandby = await b.app.inject({ method: "GET", url: "/api/v1/faults", headers: { authorization: `Bearer ${b.userToken}` } });
    expect(faultsAtStandby.statusCode).toBe(503);
    const health = await b.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.json().cluster).toEqual({
      node: "collector-b",
      role: "standby",
      active: { node: "collector-a", address: "http://collector-a.example:8480" },
    });
    const nodes = await b.app.inject({ method: "GET", url: "/api/v1/cluster", headers: { authorization: `Bearer ${b.userToken}` } });
    expect(nodes.statusCode).toBe(200);
    expect(nodes.json().nodes.map((n: { node: string; role: string; address: string }) => [n.node, n.role, n.address])).toEqual([
      ["collector-a", "active", "http://collector-a.example:8480"],
      ["collector-b", "standby", "http://collector-b.example:8480"],
    ]);

    await a.condition("ups-1", "ups.on_battery", "firing", START);
    await a.paging.settle();
    clock.set(START + 5 * MIN);
    await a.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat"]);
    expect((await post(a, "event-0001")).json()).toEqual({ accepted: 1, duplicates: 0 });

    // The active stops politely: it frees the lease, so b need not wait for it to lapse.
    clock.set(START + 7 * MIN);
    await a.close();
    await until("b took over", () => b.node.isActive(), 5000, 10);
    // b loaded what a wrote: both faults; a's event is a duplicate at b.
    expect(b.ctx.faults.liveFaults().map((f) => f.device).sort()).toEqual(["sw-9", "ups-1"]);
    expect((await post(b, "event-0001")).json()).toEqual({ accepted: 0, duplicates: 1 });
    // The page and the 5-min re-page were taken by a: b sends neither again, only the 10-min one.
    await b.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat"]);
    clock.set(START + 10 * MIN);
    await b.paging.settle();
    expect(summary()).toEqual(["zhangwei page", "zhangwei repeat", "zhangwei repeat"]);
    const keys = (await b.store.db.q.selectFrom("page_deliveries").select("dedupe_key").execute()).map((r) => r.dedupe_key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(hook.requests).toHaveLength(keys.length);
  }, 30_000);

  it("an active that cannot reach the database stops acting before its lease lapses; the standby takes over after it, never both at once", async () => {
    const { a, b, clock } = await pair();
    let both = 0;
    let aStoppedAt: number | undefined;
    let bStartedAt: number | undefined;
    const watch = setInterval(() => {
      if (a.node.isActive() && b.node.isActive()) both += 1;
      if (aStoppedAt === undefined && !a.node.isActive()) aStoppedAt = performance.now();
      if (bStartedAt === undefined && b.node.isActive()) bStartedAt = performance.now();
    }, 2);
    const cutAt = performance.now();
    a.leaseStore.cut = true;
    await until("b took over", () => b.node.isActive(), 10_000, 1);
    bStartedAt ??= performance.now();
    clearInterval(watch);
    expect(both).toBe(0);
    // a stopped on its own within failover - guard (0.75 s here) of its last renewal (seen by a 2 ms
    // sampler that a loaded machine may delay; the order below is what matters); b came after.
    expect(aStoppedAt! - cutAt).toBeLessThan(2000);
    expect(bStartedAt!).toBeGreaterThan(aStoppedAt!);
    const refused = await post(a, "event-at-lost");
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error).toBe("standby");
  }, 30_000);

  it("an agent listing the standby first delivers to the active at once; after a takeover it follows the 503 to the new active", async () => {
    const { a, b } = await pair();
    const urlA = await a.app.listen({ host: "127.0.0.1", port: 0 });
    const urlB = await b.app.listen({ host: "127.0.0.1", port: 0 });
    const outbox = new Outbox(join(dir, "agent", "outbox.db"));
    open.push(() => outbox.close());
    const failovers: string[] = [];
    const sender = new Sender(outbox, {
      agentId: "agent-1",
      urls: [urlB, urlA],
      token: new Secret(AGENT_TOKEN),
      logger: pino({ level: "silent" }),
      // Were the standby's 503 a reason to back off, the first delivery would take a minute.
      minBackoffMs: 60_000,
      onFailover: (_from, to) => failovers.push(to),
    });
    open.push(() => sender.stop());
    const event = (n: number) => ({
      id: `agent-1-ha-${String(n).padStart(4, "0")}`,
      type: "condition" as const,
      device: `sw-${n}`,
      condition: "if.down",
      labels: { ifname: "Gi0/1" },
      state: "firing" as const,
      observedAt: new Date(START + n * 1000).toISOString(),
    });
    for (let n = 0; n < 5; n++) outbox.append(event(n));
    sender.start();
    await until("delivered to the active", () => outbox.size() === 0, 5000, 10);
    expect(failovers).toEqual([urlA]);
    await a.close();
    await until("b took over", () => b.node.isActive(), 5000, 10);
    for (let n = 5; n < 10; n++) outbox.append(event(n));
    await until("delivered to the new active", () => outbox.size() === 0, 10_000, 10);
    expect(failovers).toEqual([urlA, urlB]);
    const stored = (await b.store.db.q.selectFrom("events").select("id").where("type", "=", "condition").orderBy("id").execute()).map((r) => r.id);
    expect(stored).toEqual(Array.from({ length: 10 }, (_, n) => event(n).id));
  }, 30_000);

  it("the fence: an active that has not yet noticed a takeover writes nothing (503), then steps down", async () => {
    const { a, b } = await pair();
    // a's looks at the lease fail from now on (so it cannot notice), and another node takes the lease in
    // the database; a's own deadline has not passed, so a still thinks it is active and lets requests in.
    a.leaseStore.cut = true;
    await a.store.db.q
      .updateTable("cluster_lease")
      .set({ holder_node: "collector-c", holder_instance: "c1", epoch: 99, expires_at: Date.now() + 600_000 })
      .where("name", "=", "collector")
      .execute();
    expect(a.node.isActive()).toBe(true);
    const refused = await post(a, "event-after-takeover");
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toContain("is no longer the active node (the lease is no longer its own); nothing was written");
    const stored = await a.store.db.q.selectFrom("events").select("id").where("id", "=", "event-after-takeover").execute();
    expect(stored).toEqual([]);
    await until("a stepped down when its own deadline passed", () => !a.node.isActive(), 5000, 10);
    expect(b.node.isActive()).toBe(false); // collector-c holds the lease
  }, 30_000);
});
