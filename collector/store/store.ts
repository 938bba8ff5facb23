import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import {
  type AuditDraft,
  auditHash,
  type ChainedAuditEntry,
  type EngineChanges,
  type EngineState,
  type Fault,
  GENESIS_HASH,
  LiveEngine,
} from "../domain/index.ts";
import { EngineRows } from "./engine-rows.ts";

export const ROLES = ["engineer", "facility_manager", "client_auditor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** An audit entry as stored: the chained entry of the domain's hash chain. */
export type AuditRow = ChainedAuditEntry;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Everything the collector keeps, in one SQLite file. Synchronous: callers never interleave. */
export class CollectorStore {
  constructor(readonly db: Database.Database) {}

  private insertEvent: Database.Statement | undefined;

  /** Records an event id; false when it was seen before (a redelivery). */
  rememberEvent(id: string, agent: string, type: string, receivedAt: number, body: unknown): boolean {
    this.insertEvent ??= this.db.prepare(
      "INSERT OR IGNORE INTO events (id, agent, type, received_at, body) VALUES (?, ?, ?, ?, ?)",
    );
    const res = this.insertEvent.run(id, agent, type, receivedAt, JSON.stringify(body));
    return res.changes === 1;
  }

  private rows: EngineRows | undefined;

  private engineRows(): EngineRows {
    this.rows ??= new EngineRows(this.db);
    return this.rows;
  }

  /**
   * The fault engine as last committed, from its rows. A store written by an older collector (the
   * whole engine in one engine_state row) is converted to rows once, here.
   */
  loadEngine(): LiveEngine {
    // Event ids are deduplicated by the events table's primary key, not remembered in memory.
    const opts = { rememberArchivedEventIds: false };
    const state = this.engineRows().load();
    if (state) return new LiveEngine(state, opts);
    const legacy = this.db.prepare("SELECT body FROM engine_state WHERE id = 1").get() as { body: string } | undefined;
    if (!legacy) return new LiveEngine(undefined, opts);
    const rest = JSON.parse(legacy.body) as Omit<EngineState, "faults"> & { faults?: EngineState["faults"] };
    const faults: EngineState["faults"] = rest.faults ?? {};
    if (!rest.faults)
      for (const f of this.db.prepare("SELECT id, body FROM faults ORDER BY rowid").all() as { id: string; body: string }[])
        faults[f.id] = JSON.parse(f.body) as Fault;
    const engine = new LiveEngine({ ...rest, faults }, opts);
    this.db.transaction(() => {
      this.engineRows().writeAll(engine);
      this.db.prepare("DELETE FROM engine_state").run();
    })();
    return engine;
  }

  /** Writes what one engine call changed and its audit entries: all or nothing. */
  saveEngine(changes: EngineChanges, audit: readonly AuditDraft[], engine: LiveEngine): void {
    this.db.transaction(() => {
      if (changes.full) this.engineRows().writeAll(engine);
      else this.engineRows().write(changes);
      this.appendAudit(audit);
    })();
  }

  /** Appends entries to the hash chain: each carries the hash of the one before. */
  appendAudit(drafts: readonly AuditDraft[]): void {
    if (drafts.length === 0) return;
    const last = this.db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as
      | { seq: number; hash: string }
      | undefined;
    let seq = last?.seq ?? 0;
    let prev = last?.hash ?? GENESIS_HASH;
    const insert = this.db.prepare(
      "INSERT INTO audit (seq, at, actor, action, fault_id, window_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const write = () => {
      for (const d of drafts) {
        seq += 1;
        const entry = {
          seq,
          at: d.at,
          actor: d.actor,
          action: d.action,
          faultId: d.faultId,
          windowId: d.windowId,
          detail: d.detail,
        };
        const hash = auditHash(prev, entry);
        insert.run(
          seq,
          d.at,
          d.actor,
          d.action,
          d.faultId ?? null,
          d.windowId ?? null,
          JSON.stringify(d.detail),
          prev,
          hash,
        );
        prev = hash;
      }
      this.db
        .prepare(
          "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .run(seq, prev);
    };
    if (this.db.inTransaction) write();
    else this.db.transaction(write)();
  }

  /** The newest entry as recorded when it was written (undefined before the first). */
  auditHead(): { seq: number; hash: string } | undefined {
    return this.db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1").get() as
      | { seq: number; hash: string }
      | undefined;
  }

  audit(filter: { faultId?: string } = {}): AuditRow[] {
    const rows = (
      filter.faultId
        ? this.db.prepare("SELECT * FROM audit WHERE fault_id = ? ORDER BY seq").all(filter.faultId)
        : this.db.prepare("SELECT * FROM audit ORDER BY seq").all()
    ) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      seq: r.seq as number,
      at: r.at as number,
      actor: r.actor as string,
      action: r.action as string,
      faultId: (r.fault_id as string | null) ?? undefined,
      windowId: (r.window_id as string | null) ?? undefined,
      detail: JSON.parse(r.detail as string),
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  /** Creates (or replaces the token of) a user; returns the token, shown once and stored only hashed. */
  addUser(name: string, role: Role, now: number): string {
    const token = `wf_${randomBytes(24).toString("base64url")}`;
    this.db
      .prepare(
        "INSERT INTO users (name, role, token_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role, token_hash = excluded.token_hash",
      )
      .run(name, role, hashToken(token), now);
    return token;
  }

  userByToken(token: string): { name: string; role: Role } | undefined {
    return this.db.prepare("SELECT name, role FROM users WHERE token_hash = ? AND disabled = 0").get(hashToken(token)) as
      | { name: string; role: Role }
      | undefined;
  }

  /** Records a heartbeat; returns what was known before it (for the liveness rules). */
  agentSeen(
    id: string,
    at: number,
    intervalSeconds: number,
  ): { wasDown: boolean; previous?: { lastSeen: number; intervalSeconds: number } } {
    const row = this.db.prepare("SELECT down, last_seen, interval_seconds FROM agents WHERE id = ?").get(id) as
      | { down: number; last_seen: number; interval_seconds: number }
      | undefined;
    this.db
      .prepare(
        "INSERT INTO agents (id, last_seen, interval_seconds, down) VALUES (?, ?, ?, 0) ON CONFLICT(id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen), interval_seconds = excluded.interval_seconds, down = 0",
      )
      .run(id, at, intervalSeconds);
    return {
      wasDown: row?.down === 1,
      ...(row ? { previous: { lastSeen: row.last_seen, intervalSeconds: row.interval_seconds } } : {}),
    };
  }

  markAgentDown(id: string): void {
    this.db.prepare("UPDATE agents SET down = 1 WHERE id = ?").run(id);
  }

  agents(): Array<{ id: string; lastSeen: number; intervalSeconds: number; down: boolean }> {
    return (
      this.db.prepare("SELECT * FROM agents ORDER BY id").all() as Array<Record<string, number | string>>
    ).map((r) => ({
      id: r.id as string,
      lastSeen: r.last_seen as number,
      intervalSeconds: r.interval_seconds as number,
      down: r.down === 1,
    }));
  }
}
