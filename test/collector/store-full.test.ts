import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { StoreDb } from "../../collector/store/store-db.ts";
import { sampleValue } from "../harness/metrics.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

/**
 * Review H2: a full store. SQLite's own limit (PRAGMA max_page_count) makes it answer SQLITE_FULL
 * exactly as a full disk does (same code, same automatic rollback), without filling a disk; the real
 * full disk (a tmpfs) is test/e2e/collector-disk-full.test.ts.
 */
const fullAfterThisPage = (db: { pragma(s: string, o?: { simple: boolean }): unknown }) =>
  db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true }) as number}`);

const batch = (n: number, tag: string) => ({
  agent: "agent-1",
  events: Array.from({ length: n }, (_, i) => ({
    id: `agent-1-${tag}-${i}`.padEnd(40, "x"),
    type: "condition",
    device: `dev-${i}`,
    condition: "if.down",
    labels: { ifname: `${tag}-port-${i}`.padEnd(200, "x") },
    state: "firing",
    observedAt: "2026-11-25T00:59:00Z",
  })),
});

describe("a transaction on a full SQLite store fails with SQLite's own error", () => {
  it("SQLITE_FULL, not Kysely's 'cannot rollback - no transaction is active' (SQLite rolled back itself)", async () => {
    const db = StoreDb.sqlite(":memory:");
    fullAfterThisPage(db.sqlite!);
    const write = db.transaction(async (tx) => {
      for (let i = 0; i < 50; i++)
        await tx.q.insertInto("events").values({ id: `e${i}`, agent: "a", type: "condition", received_at: 1, body: "x".repeat(3000) }).execute();
    });
    await expect(write).rejects.toMatchObject({ code: "SQLITE_FULL", message: "database or disk is full" });
    expect(db.sqlite!.inTransaction).toBe(false);
    expect(db.sqlite!.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 0 });
    await db.close();
  });

  it("an ordinary failure part-way is still rolled back (SQLite leaves that transaction open)", async () => {
    const db = StoreDb.sqlite(":memory:");
    const write = db.transaction(async (tx) => {
      await tx.q.insertInto("events").values({ id: "e1", agent: "a", type: "condition", received_at: 1, body: "{}" }).execute();
      await tx.q.insertInto("events").values({ id: "e1", agent: "a", type: "condition", received_at: 1, body: "{}" }).execute();
    });
    await expect(write).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    expect(db.sqlite!.inTransaction).toBe(false);
    expect(db.sqlite!.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 0 });
    await db.close();
  });
});

describe("ingest on a full store: 503 'store full' with Retry-After, /healthz 503, counted; nothing accepted is lost", () => {
  it("refuses the batch it cannot keep, and takes it once there is room", async () => {
    const registry = new Registry();
    const h = await testCollector({ registry });
    const post = (body: unknown) =>
      h.app.inject({ method: "POST", url: "/api/v1/events", headers: { authorization: `Bearer ${AGENT_TOKEN}` }, payload: body as object });
    expect((await post(batch(5, "before"))).statusCode).toBe(200);
    fullAfterThisPage(h.store.sqlite!);
    const refused = await post(batch(200, "full"));
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("30");
    expect(refused.json()).toMatchObject({ error: "store_unavailable" });
    expect(refused.json().message).toMatch(/^store full: the disk holding :memory: has no room \(database or disk is full \(SQLITE_FULL\)/);
    const health = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(503);
    expect(health.json().store.reason).toMatch(/a request failed on the store at .*: store full: .*free space on it, nothing is damaged/);
    expect(sampleValue(await registry.metrics(), "watchfloor_store_failures_total", { kind: "full" })).toBe(1);
    expect(sampleValue(await registry.metrics(), "watchfloor_store_failures_total", { kind: "damaged" })).toBe(0);

    h.store.sqlite!.pragma("max_page_count = 1073741823");
    const again = await post(batch(200, "full"));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ accepted: 200, duplicates: 0 });
    expect((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    // Every accepted id is in the store: the 5 before and the 200 after (SQLite's own count).
    expect(h.store.sqlite!.prepare("SELECT count(*) AS n FROM events WHERE agent = 'agent-1'").get()).toEqual({ n: 205 });
    // The engine kept nothing of the refused batch: one fault per event, none twice.
    const faults = (await h.call("GET", "/api/v1/faults", h.tokens.admin)).body.faults as Array<{ device: string; labels: Record<string, string> }>;
    expect(faults).toHaveLength(205);
    expect(new Set(faults.map((f) => `${f.device}|${JSON.stringify(f.labels)}`)).size).toBe(205);
    await h.app.close();
  });

  it("an error that is not the store's answers as before: a body that is not JSON is still a 400 with its reason", async () => {
    const h = await testCollector();
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["retry-after"]).toBeUndefined();
    await h.app.close();
  });
});
