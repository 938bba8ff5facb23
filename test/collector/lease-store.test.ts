import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LeaseDialect, SqlLeaseStore } from "../../collector/cluster/lease-store.ts";
import { judgeLease, type Lease, type LeaseHolder } from "../../collector/domain/lease.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { PostgresServer, postgresMissing } from "../harness/postgres.ts";
import { tempDir } from "../harness/process.ts";

const A: LeaseHolder = { node: "collector-a", instance: "a1" };
const A2: LeaseHolder = { node: "collector-a", instance: "a2" };
const B: LeaseHolder = { node: "collector-b", instance: "b1" };
const S = { heartbeatSeconds: 5, failoverSeconds: 60 };

let server: PostgresServer | undefined;
const stores = {} as Record<LeaseDialect, { db: StoreDb; store: SqlLeaseStore }>;
const dialects: LeaseDialect[] = skipWithout(postgresMissing(), "the lease store on PostgreSQL") ? ["sqlite"] : ["postgres", "sqlite"];

beforeAll(async () => {
  // The tables come from the store's own migrations, as in production.
  if (dialects.includes("postgres")) {
    server = await PostgresServer.start();
    const db = await StoreDb.postgres(await server.createDatabase("wf_lease"));
    stores.postgres = { db, store: new SqlLeaseStore(db.q, "postgres") };
  }
  const db = StoreDb.sqlite(join(tempDir("wf-lease-"), "lease.db"));
  stores.sqlite = { db, store: new SqlLeaseStore(db.q, "sqlite") };
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stores)) await s.db.close();
  await server?.stop();
});

/** Puts the lease row in a state relative to the database's clock now (read back through judge's `now`). */
async function setLease(dialect: LeaseDialect, holder: LeaseHolder | undefined, epoch: number, expiresInMs: number) {
  const { db, store } = stores[dialect];
  const { now } = await store.status();
  await db.q
    .updateTable("cluster_lease")
    .set({ holder_node: holder?.node ?? null, holder_instance: holder?.instance ?? null, epoch, expires_at: now + expiresInMs })
    .where("name", "=", "collector")
    .execute();
  return now + expiresInMs;
}

describe.each(dialects)("SqlLeaseStore on %s: the SQL is judgeLease", (dialect) => {
  const holders: Array<[string, LeaseHolder | undefined]> = [
    ["nobody", undefined],
    ["A", A],
    ["A restarted", A2],
    ["B", B],
  ];
  // Relative to the database's clock; a few ms pass between setting and judging, so no "exactly now".
  const expiries: Array<[string, number]> = [
    ["lapsed a minute ago", -60_000],
    ["alive 30 s more", 30_000],
  ];
  for (const [holderName, holder] of holders)
    for (const [expiryName, inMs] of expiries)
      it(`held by ${holderName}, ${expiryName}: A gets what judgeLease says`, async () => {
        const expiresAt = await setLease(dialect, holder, 7, inMs);
        const before: Lease = { ...(holder ? { holder } : {}), epoch: 7, expiresAt };
        const { lease, now } = await stores[dialect].store.judge(A, S);
        const want = judgeLease(before, A, now, S);
        expect(lease).toEqual(want.lease);
      });

  it("many concurrent judges of a lapsed lease: exactly one node is granted it", async () => {
    if (dialect === "sqlite") return; // one connection: nothing runs concurrently
    await setLease(dialect, B, 20, -1);
    const nodes = Array.from({ length: 8 }, (_, i) => ({ node: `n${i}`, instance: `i${i}` }));
    const results = await Promise.all(nodes.map((n) => stores[dialect].store.judge(n, S)));
    const granted = results.filter((r, i) => r.lease.holder?.node === nodes[i]!.node);
    expect(granted).toHaveLength(1);
    expect(granted[0]!.lease.epoch).toBe(21);
    // Everyone read the same winner.
    expect(new Set(results.map((r) => r.lease.holder?.node)).size).toBe(1);
  });

  it("the fence: a takeover waits for a transaction the old active began with holds(); one begun after sees the new holder", async () => {
    if (dialect === "sqlite") return; // one writer at a time: there is nothing to wait for
    const { db, store } = stores[dialect];
    await setLease(dialect, A, 30, 300);
    let judged = false;
    let takeover: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      expect(await store.holds(tx.q, A)).toBe(true);
      await new Promise((r) => setTimeout(r, 500)); // A's lease lapses meanwhile
      takeover = store.judge(B, S).then(() => (judged = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(judged).toBe(false); // B's UPDATE waits for the row A's transaction holds FOR SHARE
    });
    await takeover;
    expect((await store.status()).lease?.holder).toEqual(B);
    expect(await db.transaction((tx) => store.holds(tx.q, A))).toBe(false);
    expect(await db.transaction((tx) => store.holds(tx.q, B))).toBe(true);
  });

  it("release frees the lease only for its holder; beat and status show the nodes", async () => {
    const { store } = stores[dialect];
    await setLease(dialect, A, 3, 30_000);
    await store.release(B);
    expect((await store.status()).lease?.holder).toEqual(A);
    await store.release(A);
    const after = await store.status();
    expect(after.lease?.holder).toBeUndefined();
    expect(after.lease!.expiresAt).toBeLessThanOrEqual(after.now);
    await store.beat({ node: "collector-a", instance: "a1", address: "http://10.0.0.1:8480", role: "active", epoch: 3, leaseExpiresAt: 123 });
    await store.beat({ node: "collector-b", instance: "b1", address: "http://10.0.0.2:8480", role: "standby" });
    const rows = (await store.status()).nodes.filter((n) => n.node.startsWith("collector-"));
    expect(rows.map((r) => [r.node, r.address, r.role, r.epoch])).toEqual([
      ["collector-a", "http://10.0.0.1:8480", "active", 3],
      ["collector-b", "http://10.0.0.2:8480", "standby", undefined],
    ]);
    for (const r of rows) expect(Math.abs(r.lastHeartbeat - after.now)).toBeLessThan(5000);
  });
});
