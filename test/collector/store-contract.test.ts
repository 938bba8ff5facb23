/**
 * The store contract: identical cases against SQLite (the embedded default) and a real PostgreSQL
 * (test/harness/postgres.ts). Expected values come from the contract, not from the store: an id seen
 * twice is a redelivery, a failed batch leaves nothing, the audit chain's first hash is SHA-256 of the
 * genesis hash and the entry's canonical JSON written out here by hand, text sorts in code-point
 * order, a JSON-array filter matches whole ids only.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { sql } from "kysely";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { verifyAuditChain } from "../../collector/domain/index.ts";
import { InspectionStore } from "../../collector/inspections/store.ts";
import { PageQueue } from "../../collector/paging/queue.ts";
import { Accounts } from "../../collector/store/accounts.ts";
import { EvidenceStore } from "../../collector/store/evidence.ts";
import { MIGRATIONS } from "../../collector/store/migrations.ts";
import { StorePruner } from "../../collector/store/prune.ts";
import { schemaVersion, StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { restartEquivalent } from "../fixtures/engine-rows-check.ts";
import { policies, step } from "../fixtures/engine-steps.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { PostgresServer, postgresMissing } from "../harness/postgres.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

const T0 = Date.parse("2026-11-25T09:00:00+08:00");

interface Kind {
  name: "SQLite" | "PostgreSQL";
  /** A new, empty, migrated store. */
  fresh: () => Promise<CollectorStore>;
}

const pgMissing = postgresMissing();
let server: PostgresServer | undefined;
const opened: CollectorStore[] = [];

const KINDS: Kind[] = [
  { name: "SQLite", fresh: async () => track(new CollectorStore(StoreDb.sqlite(":memory:"))) },
  {
    name: "PostgreSQL",
    fresh: async () => track(new CollectorStore(await StoreDb.postgres(await server!.createDatabase("contract")))),
  },
];

function track(s: CollectorStore): CollectorStore {
  opened.push(s);
  return s;
}

beforeAll(async () => {
  if (!pgMissing) server = await PostgresServer.start();
}, 60_000);

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => {});
  await server?.stop();
}, 60_000);

const count = async (store: CollectorStore, table: "events" | "audit" | "engine_events" | "faults") =>
  Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(store.db.q)).rows[0]!.n);

for (const kind of KINDS) {
  const skip = skipWithout(kind.name === "PostgreSQL" ? pgMissing : undefined, `store contract on ${kind.name}`);
  describe.skipIf(skip)(`store contract: ${kind.name}`, () => {
    it("is at the current schema version, with the same tables and columns as SQLite", async () => {
      const store = await kind.fresh();
      expect(await schemaVersion(store.db)).toBe(MIGRATIONS.length);
      const reference = new CollectorStore(StoreDb.sqlite(":memory:"));
      const sqliteColumns = new Set<string>();
      for (const t of reference.sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
        for (const c of reference.sqlite!.pragma(`table_info(${t.name})`) as Array<{ name: string }>) sqliteColumns.add(`${t.name}.${c.name}`);
      await reference.close();
      const tables = await store.db.q.introspection.getTables();
      const columns = new Set(tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
      // PostgreSQL names SQLite's implicit rowid where queries order by it; its schema version lives in a table.
      const expected = [...sqliteColumns].sort();
      const got = [...columns].filter((c) => !c.startsWith("watchfloor_schema.")).filter((c) => !/\.rowid$/.test(c) || sqliteColumns.has(c));
      expect(got.sort()).toEqual(expected);
    });

    it("event ids: the first delivery is recorded, a redelivery is not (also twice in one batch)", async () => {
      const store = await kind.fresh();
      expect(await store.rememberEvent("evt-1", "agent-1", "condition", T0, { id: "evt-1" })).toBe(true);
      expect(await store.rememberEvent("evt-1", "agent-1", "condition", T0 + 5, { id: "evt-1" })).toBe(false);
      const fresh = await store.rememberEvents([
        { id: "evt-2", agent: "agent-1", type: "condition", receivedAt: T0, body: {} },
        { id: "evt-1", agent: "agent-1", type: "condition", receivedAt: T0, body: {} },
        { id: "evt-2", agent: "agent-1", type: "condition", receivedAt: T0, body: {} },
      ]);
      expect([...fresh]).toEqual(["evt-2"]);
      expect(await count(store, "events")).toBe(2);
    });

    it("event ids of a batch of any size: each new id recorded once with its own row, the seen ones left as they were", async () => {
      const store = await kind.fresh();
      await store.rememberEvent("old-0", "agent-1", "condition", T0, { n: "first" });
      // 1,302 receipts, one statement each part of up to 1,024 (padded with copies of the last row):
      // every 100th id seen before, every 7th sent twice, the last one new.
      const batch = Array.from({ length: 1302 }, (_, i) => ({
        id: i % 100 === 0 ? `old-${i}` : `new-${i - (i % 7 === 3 ? 1 : 0)}`,
        agent: "agent-1",
        type: "condition",
        receivedAt: T0 + i,
        body: { n: i },
      }));
      for (let i = 100; i < 1301; i += 100) await store.rememberEvent(`old-${i}`, "agent-1", "condition", T0, { n: "first" });
      const expected = new Set(batch.map((e) => e.id).filter((id) => id.startsWith("new-")));
      const fresh = await store.rememberEvents(batch);
      expect([...fresh].sort()).toEqual([...expected].sort());
      expect(await count(store, "events")).toBe(expected.size + 14);
      // A seen id keeps its first body; a new id has the body of its first delivery in the batch.
      const body = async (id: string) =>
        (await store.db.q.selectFrom("events").select("body").where("id", "=", id).executeTakeFirstOrThrow()).body;
      expect(JSON.parse(await body("old-700"))).toEqual({ n: "first" });
      expect(JSON.parse(await body("new-2"))).toEqual({ n: 2 });
      expect(JSON.parse(await body("new-1301"))).toEqual({ n: 1301 });
      // The same batch again changes nothing.
      expect((await store.rememberEvents(batch)).size).toBe(0);
      expect(await count(store, "events")).toBe(expected.size + 14);
    });

    it("a batch that fails half-way leaves nothing: no event id, no audit entry, no head", async () => {
      const store = await kind.fresh();
      await expect(
        store.transaction(async (tx) => {
          await tx.rememberEvent("evt-a", "agent-1", "condition", T0, {});
          await tx.appendAudit([{ at: T0, actor: "test", action: "fault.open", detail: {} }]);
          // A real failure of the database: the primary key refuses a second row with seq 1.
          await tx.db.q.insertInto("engine_actions").values({ seq: 1, home_key: "k", body: "{}" }).execute();
          await tx.db.q.insertInto("engine_actions").values({ seq: 1, home_key: "k", body: "{}" }).execute();
        }),
      ).rejects.toThrow();
      expect(await count(store, "events")).toBe(0);
      expect(await count(store, "audit")).toBe(0);
      expect(await store.auditHead()).toBeUndefined();
      // The same ids then go in: the failed batch left nothing that makes them redeliveries.
      expect(await store.rememberEvent("evt-a", "agent-1", "condition", T0, {})).toBe(true);
    });

    it("audit chain: entries link by hash from the genesis hash, the head follows, an edit is caught", async () => {
      const store = await kind.fresh();
      await store.appendAudit([{ at: T0, actor: "test", action: "fault.open", faultId: "F-1", detail: { n: 1 } }]);
      await store.appendAudit([
        { at: T0 + 1, actor: "test", action: "fault.ack", faultId: "F-1", detail: { note: "在处理" } },
        { at: T0 + 2, actor: "test", action: "window.announce", windowId: "W-1", detail: {} },
      ]);
      const entries = await store.audit();
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      // SHA-256 over the previous hash, a newline and the entry's canonical JSON (keys sorted), by hand.
      const first = `{"action":"fault.open","actor":"test","at":${T0},"detail":{"n":1},"faultId":"F-1","seq":1}`;
      expect(entries[0]!.hash).toBe(createHash("sha256").update(`${"0".repeat(64)}\n${first}`).digest("hex"));
      expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
      expect(entries[2]!.prevHash).toBe(entries[1]!.hash);
      expect(entries[1]!.detail).toEqual({ note: "在处理" });
      expect(await store.auditHead()).toEqual({ seq: 3, hash: entries[2]!.hash });
      expect((await store.audit({ faultId: "F-1" })).map((e) => e.seq)).toEqual([1, 2]);
      expect(verifyAuditChain(entries, await store.auditHead())).toEqual({ ok: true, count: 3 });
      await store.db.q.updateTable("audit").set({ detail: '{"note":"已解决"}' }).where("seq", "=", 2).execute();
      expect(verifyAuditChain(await store.audit(), await store.auditHead())).toMatchObject({ ok: false, seq: 2 });
    });

    it("agents: a heartbeat reports what was known before it; the later time wins; down until the next beat", async () => {
      const store = await kind.fresh();
      expect(await store.agentSeen("agent-2", T0, 15)).toEqual({ wasDown: false });
      expect(await store.agentSeen("agent-2", T0 + 15_000, 15)).toEqual({
        wasDown: false,
        previous: { lastSeen: T0, intervalSeconds: 15 },
      });
      // A late heartbeat from before the last one does not move last_seen back.
      await store.agentSeen("agent-2", T0 + 5_000, 7.5);
      await store.agentSeen("agent-10", T0, 15);
      await store.agentSeen("Agent-3", T0, 15);
      await store.markAgentDown("agent-2");
      expect(await store.agents()).toEqual([
        { id: "Agent-3", lastSeen: T0, intervalSeconds: 15, down: false },
        { id: "agent-10", lastSeen: T0, intervalSeconds: 15, down: false },
        { id: "agent-2", lastSeen: T0 + 15_000, intervalSeconds: 7.5, down: true },
      ]);
      expect((await store.agentSeen("agent-2", T0 + 60_000, 15)).wasDown).toBe(true);
      expect((await store.agents()).find((a) => a.id === "agent-2")!.down).toBe(false);
    });

    it("users: a token is stored hashed, a new one replaces it, disabling refuses it and ends sessions", async () => {
      const store = await kind.fresh();
      const token = await store.addUser("zhao.gong", "engineer", T0);
      expect(token).toMatch(/^wf_[A-Za-z0-9_-]{32}$/);
      expect(await store.userByToken(token)).toEqual({ name: "zhao.gong", role: "engineer" });
      expect(await count(store, "events")).toBe(0);
      const stored = await store.db.q.selectFrom("users").select("token_hash").executeTakeFirstOrThrow();
      expect(stored.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
      const rotated = await store.addUser("zhao.gong", "facility_manager", T0 + 1);
      expect(await store.userByToken(token)).toBeUndefined();
      expect(await store.userByToken(rotated)).toEqual({ name: "zhao.gong", role: "facility_manager" });
      const accounts = new Accounts(store.db);
      expect(await accounts.setPassword("zhao.gong", "correct horse battery")).toBe(true);
      expect(await accounts.checkPassword("zhao.gong", "correct horse battery")).toEqual({ name: "zhao.gong", role: "facility_manager" });
      expect(await accounts.checkPassword("zhao.gong", "wrong")).toBeUndefined();
      const session = await accounts.createSession("zhao.gong", T0);
      expect((await accounts.session(session.id, T0 + 1000))?.user).toEqual({ name: "zhao.gong", role: "facility_manager" });
      // Twelve hours later a session nobody used has ended.
      expect(await accounts.session(session.id, T0 + 12 * 3600_000)).toBeUndefined();
      const live = await accounts.createSession("zhao.gong", T0);
      expect(await accounts.setDisabled("zhao.gong", true)).toBe(true);
      expect(await store.userByToken(rotated)).toBeUndefined();
      expect(await accounts.session(live.id, T0 + 1000)).toBeUndefined();
      expect((await accounts.users()).map((u) => [u.name, u.disabled, u.hasPassword])).toEqual([["zhao.gong", true, true]]);
    });

    it("paging queue: one row per dedupe key, due in order, a fault's pages by whole id", async () => {
      const store = await kind.fresh();
      const q = new PageQueue(store.db);
      const page = (key: string, faultIds: string[]) => ({
        dedupeKey: key,
        person: "li.lei",
        faultIds,
        message: { kind: "page", title: "UPS 市电中断", text: "UPS-1 on battery", faults: faultIds },
        channels: ["sms", "mail"],
      });
      const a = await q.enqueue(page("F-1|page-0|li.lei", ["F-1"]) as never, T0);
      expect(a).toBeTypeOf("number");
      expect(await q.enqueue(page("F-1|page-0|li.lei", ["F-1"]) as never, T0 + 5)).toBeUndefined();
      const b = await q.enqueue(page("F-10|page-0|li.lei", ["F-10"]) as never, T0 - 1000);
      expect(await q.pendingCount()).toBe(2);
      expect(await q.nextAttemptAt()).toBe(T0 - 1000);
      expect((await q.due(T0)).map((d) => d.id)).toEqual([b, a]);
      expect((await q.list({ fault: "F-1" })).map((d) => d.id)).toEqual([a]);
      const [d] = await q.due(T0);
      await q.update(d!, { at: T0, channel: "sms", ok: true }, { status: "sent", channelIndex: 0, attempts: 1, nextAttemptAt: T0 });
      await q.cancel(a!, T0);
      expect(await q.pendingCount()).toBe(0);
      expect((await q.list()).map((x) => [x.id, x.status, x.sentChannel ?? null, x.history.length])).toEqual([
        [b, "sent", "sms", 1],
        [a, "cancelled", null, 0],
      ]);
      await q.markTaken("F-1", "page-0", "queued", T0);
      await q.markTaken("F-1", "page-0", "superseded", T0 + 1);
      await q.markTaken("F-1", "repeat-1", "queued", T0);
      expect([...(await q.taken("F-1"))].sort()).toEqual(["page-0", "repeat-1"]);
      expect(await q.takenFor(["F-1", "F-2"])).toEqual(new Map([["F-1", new Set(["page-0", "repeat-1"])], ["F-2", new Set()]]));
    });

    it("inspections: a round once per key, cursors only forward, its audit by the round's id, photos byte for byte", async () => {
      const store = await kind.fresh();
      const rows = new InspectionStore(store.db);
      const round = { id: "R-1", key: "daily|2026-11-25T09:00", templateId: "daily", firedAt: T0, dueAt: T0 + 3600_000, status: "open" };
      expect(await rows.insertRound(round as never)).toBe(true);
      expect(await rows.insertRound({ ...round, id: "R-2" } as never)).toBe(false);
      expect(await rows.round("R-1")).toEqual(round);
      await rows.setCursor("daily", T0);
      await rows.setCursor("daily", T0 - 1);
      expect(await rows.cursor("daily")).toBe(T0);
      await store.appendAudit([
        { at: T0, actor: "fm", action: "inspection.checkin", detail: { round: "R-1", stop: "ups" } },
        { at: T0, actor: "fm", action: "inspection.checkin", detail: { round: "R-10", stop: "ups" } },
      ]);
      expect((await rows.roundAudit("R-1")).map((e) => e.seq)).toEqual([1]);
      const bytes = Buffer.from([0, 255, 0, 1, 0x89, 0x50, 0x4e, 0x47]);
      expect(await rows.putPhoto("ab".repeat(32), "image/png", bytes, "fm", T0)).toBe(true);
      expect(await rows.putPhoto("ab".repeat(32), "image/png", bytes, "fm", T0)).toBe(false);
      const photo = await rows.photo("ab".repeat(32));
      expect(photo?.mime).toBe("image/png");
      expect(Buffer.compare(photo!.bytes, bytes)).toBe(0);
      const evidence = new EvidenceStore(store.db);
      const file = await evidence.add({ faultId: "F-1", name: "停电通知.pdf", type: "application/pdf", body: bytes, by: "eng", at: T0 });
      expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(Buffer.compare((await evidence.body(file.id))!.body, bytes)).toBe(0);
    });

    it("prune: heartbeat and condition receipts past their retention go; the audit trail stays", async () => {
      const store = await kind.fresh();
      const day = 86_400_000;
      await store.rememberEvents([
        { id: "hb-old", agent: "a", type: "heartbeat", receivedAt: T0 - 2 * day, body: {} },
        { id: "hb-new", agent: "a", type: "heartbeat", receivedAt: T0 - 1000, body: {} },
        { id: "c-old", agent: "a", type: "condition", receivedAt: T0 - 31 * day, body: {} },
        { id: "c-new", agent: "a", type: "condition", receivedAt: T0 - 2 * day, body: {} },
      ]);
      await store.appendAudit([{ at: T0 - 40 * day, actor: "test", action: "fault.open", detail: {} }]);
      const pruner = new StorePruner({
        store,
        clock: new ManualClock(T0),
        logger: pino({ level: "silent" }),
        registry: new Registry(),
        retention: { events: 30 * 86400, heartbeats: 86400 },
      });
      expect(await pruner.prune()).toEqual({ heartbeats: 1, events: 1 });
      expect((await store.db.q.selectFrom("events").select("id").execute()).map((r) => r.id).sort()).toEqual(["c-new", "hb-new"]);
      expect(await count(store, "audit")).toBe(1);
    });

    it("engine rows: reopened from the store, the engine goes on exactly as if it never stopped", async () => {
      // Fewer runs than the SQLite-only property (test/collector/engine-rows.test.ts): each is a new database.
      for (const [name, policy] of Object.entries(policies)) {
        const runs = fc.sample(fc.array(step, { minLength: 10, maxLength: 40 }), { numRuns: 3, seed: 13 });
        for (const steps of runs) {
          const store = await kind.fresh();
          await restartEquivalent(store, steps, policy).catch((err: Error) => {
            throw new Error(`${name} policy: ${err.message}`);
          });
        }
      }
    }, 120_000);

    it("the collector on this store: a batch ingested, a redelivery changes nothing, a restart sees the same faults", async () => {
      const store = await kind.fresh();
      const at = new Date(T0 - 60_000).toISOString();
      const batch = [
        { id: "evt-ups-1-0001", type: "condition", device: "ups-1", condition: "ups.on_battery", state: "firing", observedAt: at },
        { id: "evt-ups-2-0001", type: "condition", device: "ups-2", condition: "ups.on_battery", state: "firing", observedAt: at },
      ];
      const post = (h: Awaited<ReturnType<typeof testCollector>>) =>
        h.app.inject({
          method: "POST",
          url: "/api/v1/events",
          headers: { authorization: `Bearer ${AGENT_TOKEN}` },
          payload: { agent: "agent-1", events: batch },
        });
      const first = await testCollector({ store });
      expect((await post(first)).json()).toEqual({ accepted: 2, duplicates: 0 });
      const faults = (await first.call("GET", "/api/v1/faults", first.tokens.admin)).body.faults;
      expect((faults as Array<{ device: string }>).map((f) => f.device).sort()).toEqual(["ups-1", "ups-2"]);
      const head = await store.auditHead();
      await first.app.close();
      const second = await testCollector({ store });
      expect((await post(second)).json()).toEqual({ accepted: 0, duplicates: 2 });
      expect((await second.call("GET", "/api/v1/faults", second.tokens.admin)).body.faults).toEqual(faults);
      // The redelivery added nothing to the record.
      expect(await store.auditHead()).toEqual(head);
      expect(verifyAuditChain(await store.audit(), head)).toEqual({ ok: true, count: head!.seq });
      await second.app.close();
    });

    it("archived faults stay in the store, not in memory: after a restart GET /faults/:id, the list, the KPI and /metrics answer as before archiving", async () => {
      const store = await kind.fresh();
      // Q4 2026 (Asia/Shanghai). UPS on battery at a high-criticality UPS is 严重 (severe): resolved within 2 h (DESIGN).
      const t0 = Date.parse("2026-10-12T09:00:00+08:00");
      const clock = new ManualClock(t0 + 3 * 3_600_000 + 60_000);
      const ups = { class: "ups", criticality: "high" as const, dependsOn: [] };
      const inventory = { devices: { "ups-1": { id: "ups-1", ...ups }, "ups-2": { id: "ups-2", ...ups } } };
      const event = (id: string, device: string, state: string, at: number) => ({
        id,
        type: "condition",
        device,
        condition: "ups.on_battery",
        state,
        observedAt: new Date(at).toISOString(),
      });
      const MIN = 60_000;
      const events = [
        event("evt-ups-1-fire", "ups-1", "firing", t0), // resolved after 3 h: breached by 1 h
        event("evt-ups-1-clear", "ups-1", "clear", t0 + 180 * MIN),
        event("evt-ups-2-fire", "ups-2", "firing", t0 + 10 * MIN), // resolved after 10 min: met
        event("evt-ups-2-clear", "ups-2", "clear", t0 + 20 * MIN),
      ];
      type H = Awaited<ReturnType<typeof testCollector>>;
      const post = async (h: H) =>
        (
          await h.app.inject({
            method: "POST",
            url: "/api/v1/events",
            headers: { authorization: `Bearer ${AGENT_TOKEN}` },
            payload: { agent: "agent-1", events },
          })
        ).json();
      const get = async (h: H, url: string) => (await h.call("GET", url, h.tokens.admin)).body;
      const timeliness = async (h: H) =>
        ((await h.call("GET", "/metrics", undefined)).body.text as string).split("\n").filter((l) => l.startsWith("watchfloor_kpi_timeliness_ratio "));
      /** What people and the client see of the two faults. */
      const visible = async (h: H, ids: string[]) => ({
        faults: await Promise.all(ids.map(async (id) => (await get(h, `/api/v1/faults/${id}`)).fault)),
        list: await get(h, "/api/v1/faults"),
        quarter: await get(h, "/api/v1/faults?period=2026Q4"),
        kpi: (await get(h, "/api/v1/kpi?period=2026Q4")).kpi as { breaches: unknown[] },
        current: (await get(h, "/api/v1/kpi")).kpi,
        metric: await timeliness(h),
      });

      const first = await testCollector({ store, clock, inventory });
      expect(await post(first)).toEqual({ accepted: 4, duplicates: 0 });
      const ids = (first.ctx.faults.liveFaults().sort((a, b) => a.openedAt - b.openedAt)).map((f) => f.id);
      expect(ids).toHaveLength(2);
      const before = await visible(first, ids);
      expect(before.kpi).toMatchObject({ total: 2, met: 1, breached: 1, timeliness: 0.5, met_target: false, deduction_cny: 64680 });
      expect(before.kpi.breaches).toEqual([
        { fault: ids[0], class: "severe", deadline: "resolve", due: "2026-10-12T11:00:00+08:00", missed_by_seconds: 3600 },
      ]);
      expect(before.metric).toEqual(["watchfloor_kpi_timeliness_ratio 0.5"]);

      clock.advance(17 * 86_400_000); // past archive.afterSeconds (16 d)
      await first.ctx.faults.advance();
      expect((await store.audit()).filter((e) => e.action === "fault.archive").map((e) => e.faultId).sort()).toEqual([...ids].sort());
      expect(first.ctx.faults.liveFaults()).toEqual([]);
      expect(first.ctx.faults.liveFault(ids[0]!)).toBeUndefined();
      expect(await visible(first, ids)).toEqual(before);
      const archivedTimeline = await get(first, `/api/v1/faults/${ids[0]}`);
      await first.app.close();

      const second = await testCollector({ store, clock, inventory });
      expect(second.ctx.faults.liveFaults()).toEqual([]);
      expect(await visible(second, ids)).toEqual(before);
      expect(await get(second, `/api/v1/faults/${ids[0]}`)).toEqual(archivedTimeline);
      expect((archivedTimeline.timeline as Array<{ action: string }>).at(-1)!.action).toBe("fault.archive");
      const ack = await second.call("POST", `/api/v1/faults/${ids[0]}/ack`, second.tokens.engineer, {});
      expect(ack).toEqual({ status: 409, body: { error: "FAULT_ARCHIVED", message: `fault ${ids[0]} is archived and can no longer change` } });

      // The receipts go after collector.retention; the events redelivered then change nothing.
      clock.advance(14 * 86_400_000);
      const pruner = new StorePruner({ store, clock, logger: pino({ level: "silent" }), registry: new Registry(), retention: { events: 30 * 86400, heartbeats: 86400 } });
      expect(await pruner.prune()).toEqual({ heartbeats: 0, events: 4 });
      const head = await store.auditHead();
      await post(second);
      expect(second.ctx.faults.liveFaults()).toEqual([]);
      expect(await visible(second, ids)).toEqual(before);
      expect(await store.auditHead()).toEqual(head);
      await second.app.close();
    });
  });
}

describe.skipIf(skipWithout(pgMissing, "two collectors on one PostgreSQL"))("two stores on one PostgreSQL database", () => {
  it("see each other's writes, and appending to the audit chain at the same time keeps one intact chain", async () => {
    const url = await server!.createDatabase("shared");
    const [a, b] = [track(new CollectorStore(await StoreDb.postgres(url))), track(new CollectorStore(await StoreDb.postgres(url)))];
    const token = await a.addUser("li.lei", "engineer", T0);
    expect(await b.userByToken(token)).toEqual({ name: "li.lei", role: "engineer" });
    expect(await a.rememberEvent("evt-1", "agent-1", "condition", T0, {})).toBe(true);
    expect(await b.rememberEvent("evt-1", "agent-1", "condition", T0, {})).toBe(false);
    const appends = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).appendAudit([
        { at: T0 + i, actor: i % 2 ? "a" : "b", action: "test.append", detail: { i } },
        { at: T0 + i, actor: i % 2 ? "a" : "b", action: "test.append", detail: { i, second: true } },
      ]),
    );
    await Promise.all(appends);
    const entries = await b.audit();
    expect(entries).toHaveLength(40);
    expect(verifyAuditChain(entries, await a.auditHead())).toEqual({ ok: true, count: 40 });
  });
});
