import { createHash, randomBytes } from "node:crypto";
import {
  type AuditDraft,
  type ChainedAuditEntry,
  chainEntries,
  type EngineChanges,
  type EngineState,
  type Fault,
  LiveEngine,
} from "../domain/index.ts";
import { EngineRows } from "./engine-rows.ts";
import { FaultRows } from "./fault-rows.ts";
import { byText, type StoreDb } from "./store-db.ts";

export const ROLES = ["engineer", "facility_manager", "client_auditor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** An audit entry as stored: the chained entry of the domain's hash chain. */
export type AuditRow = ChainedAuditEntry;

/** An event id as recorded for dedupe: the agent, its type, when it arrived, the event itself. */
export interface EventReceipt {
  id: string;
  agent: string;
  type: string;
  receivedAt: number;
  body: unknown;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Everything the collector keeps, in SQLite or PostgreSQL (collector/store/store-db.ts). Asynchronous;
 * `transaction(fn)` gives fn a store whose every call is part of one transaction.
 */
export class CollectorStore {
  constructor(readonly db: StoreDb) {}

  /** Faults read from their rows: the archived ones live only there. */
  get faultRows(): FaultRows {
    return new FaultRows(this.db);
  }

  /** The SQLite file's own handle (tests and file tools); undefined on PostgreSQL. */
  get sqlite() {
    return this.db.sqlite;
  }

  transaction<T>(fn: (tx: CollectorStore) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return fn(this);
    return this.db.transaction((tx) => fn(new CollectorStore(tx)));
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Records an event id; false when it was seen before (a redelivery). */
  async rememberEvent(
    id: string,
    agent: string,
    type: string,
    receivedAt: number,
    body: unknown,
  ): Promise<boolean> {
    return (await this.rememberEvents([{ id, agent, type, receivedAt, body }])).has(id);
  }

  /**
   * Records event ids in one statement; returns those recorded now (not seen before). An id twice in
   * `events` is recorded once.
   */
  async rememberEvents(events: readonly EventReceipt[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const receipts = events.map((e) => ({
      id: e.id,
      agent: e.agent,
      type: e.type,
      received_at: e.receivedAt,
      body: JSON.stringify(e.body),
    }));
    const rows = await this.db.insertRows(
      "events",
      receipts,
      (q, r) =>
        q
          .insertInto("events")
          .values([...r])
          .onConflict((oc) => oc.column("id").doNothing())
          .returning("id"),
      { padded: true },
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The fault engine as last committed, from its rows, holding no archived fault (they stay in the
   * store). A store written by an older collector (the whole engine in one engine_state row) is
   * converted to rows once, here.
   */
  async loadEngine(): Promise<LiveEngine> {
    // Event ids are deduplicated by the events table's primary key, not remembered in memory.
    const opts = { rememberArchivedEventIds: false };
    const state = await new EngineRows(this.db).load();
    if (state) return new LiveEngine(state, opts);
    const legacy = await this.db.q
      .selectFrom("engine_state")
      .select("body")
      .where("id", "=", 1)
      .executeTakeFirst();
    if (!legacy) return new LiveEngine(undefined, opts);
    const rest = JSON.parse(legacy.body) as Omit<EngineState, "faults"> & { faults?: EngineState["faults"] };
    const faults: EngineState["faults"] = rest.faults ?? {};
    if (!rest.faults)
      for (const f of await this.db.q.selectFrom("faults").select(["id", "body"]).orderBy("rowid").execute())
        faults[f.id] = JSON.parse(f.body) as Fault;
    const engine = new LiveEngine({ ...rest, faults }, opts);
    await this.transaction(async (tx) => {
      await new EngineRows(tx.db).writeAll(engine);
      await tx.db.q.deleteFrom("engine_state").execute();
    });
    engine.releaseArchived();
    return engine;
  }

  /** Writes what one engine call changed and its audit entries: all or nothing. */
  saveEngine(changes: EngineChanges, audit: readonly AuditDraft[], engine: LiveEngine): Promise<void> {
    return this.transaction(async (tx) => {
      const rows = new EngineRows(tx.db);
      if (changes.full) await rows.writeAll(engine);
      else await rows.write(changes);
      await tx.appendAudit(audit);
    });
  }

  /** Appends entries to the hash chain: each carries the hash of the one before. */
  appendAudit(drafts: readonly AuditDraft[]): Promise<void> {
    if (drafts.length === 0) return Promise.resolve();
    return this.transaction(async (tx) => {
      // Collectors sharing one PostgreSQL append to one chain, one at a time.
      await tx.db.serialize("watchfloor.audit");
      const last = await tx.db.q
        .selectFrom("audit")
        .select(["seq", "hash"])
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      const entries = chainEntries(last, [...drafts]);
      const rows = entries.map((e) => ({
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        fault_id: e.faultId ?? null,
        window_id: e.windowId ?? null,
        detail: JSON.stringify(e.detail),
        prev_hash: e.prevHash,
        hash: e.hash,
      }));
      await tx.db.insertRows("audit", rows, (q, r) => q.insertInto("audit").values([...r]));
      await tx.db.insertRows("audit_head", [{ id: 1, seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash }], (q, r) =>
        q
          .insertInto("audit_head")
          .values([...r])
          .onConflict((oc) =>
            oc.column("id").doUpdateSet((eb) => ({ seq: eb.ref("excluded.seq"), hash: eb.ref("excluded.hash") })),
          ),
      );
    });
  }

  /** The newest entry as recorded when it was written (undefined before the first). */
  auditHead(): Promise<{ seq: number; hash: string } | undefined> {
    return this.db.q.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
  }

  async audit(filter: { faultId?: string } = {}): Promise<AuditRow[]> {
    let query = this.db.q.selectFrom("audit").selectAll().orderBy("seq");
    if (filter.faultId) query = query.where("fault_id", "=", filter.faultId);
    return (await query.execute()).map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      faultId: r.fault_id ?? undefined,
      windowId: r.window_id ?? undefined,
      detail: JSON.parse(r.detail),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /** Creates (or replaces the token of) a user; returns the token, shown once and stored only hashed. */
  async addUser(name: string, role: Role, now: number): Promise<string> {
    const token = `wf_${randomBytes(24).toString("base64url")}`;
    await this.db.q
      .insertInto("users")
      .values({ name, role, token_hash: hashToken(token), created_at: now })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet((eb) => ({
            role: eb.ref("excluded.role"),
            token_hash: eb.ref("excluded.token_hash"),
          })),
      )
      .execute();
    return token;
  }

  async userByToken(token: string): Promise<{ name: string; role: Role } | undefined> {
    const row = await this.db.q
      .selectFrom("users")
      .select(["name", "role"])
      .where("token_hash", "=", hashToken(token))
      .where("disabled", "=", 0)
      .executeTakeFirst();
    return row ? { name: row.name, role: row.role as Role } : undefined;
  }

  /** Records a heartbeat; returns what was known before it (for the liveness rules). */
  async agentSeen(
    id: string,
    at: number,
    intervalSeconds: number,
  ): Promise<{ wasDown: boolean; previous?: { lastSeen: number; intervalSeconds: number } }> {
    const row = await this.db.q
      .selectFrom("agents")
      .select(["down", "last_seen", "interval_seconds"])
      .where("id", "=", id)
      .executeTakeFirst();
    await this.db.q
      .insertInto("agents")
      .values({ id, last_seen: at, interval_seconds: intervalSeconds, down: 0 })
      .onConflict((oc) =>
        oc.column("id").doUpdateSet((eb) => ({
          last_seen: this.db.keepGreater("agents", "last_seen"),
          interval_seconds: eb.ref("excluded.interval_seconds"),
          down: 0,
        })),
      )
      .execute();
    return {
      wasDown: row?.down === 1,
      ...(row ? { previous: { lastSeen: row.last_seen, intervalSeconds: row.interval_seconds } } : {}),
    };
  }

  /**
   * Agents whose last heartbeat lies after `bound` (a store written when agents' clocks were trusted
   * without a bound: a heartbeat dated 2099 would keep them up for ever) get `to` instead; their ids.
   */
  async pullBackLastSeen(bound: number, to: number): Promise<string[]> {
    const rows = await this.db.q.selectFrom("agents").select("id").where("last_seen", ">", bound).execute();
    if (rows.length > 0) await this.db.q.updateTable("agents").set({ last_seen: to }).where("last_seen", ">", bound).execute();
    return rows.map((r) => r.id);
  }

  async markAgentDown(id: string): Promise<void> {
    await this.db.q.updateTable("agents").set({ down: 1 }).where("id", "=", id).execute();
  }

  async agents(): Promise<Array<{ id: string; lastSeen: number; intervalSeconds: number; down: boolean }>> {
    const rows = byText(await this.db.q.selectFrom("agents").selectAll().execute(), (r) => r.id);
    return rows.map((r) => ({
      id: r.id,
      lastSeen: r.last_seen,
      intervalSeconds: r.interval_seconds,
      down: r.down === 1,
    }));
  }
}
