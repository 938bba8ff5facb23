import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { AgentEvent } from "../../common/wire.ts";

export interface SizedEvent {
  event: AgentEvent;
  bytes: number;
}

const sized = (row: { body: string }): SizedEvent => ({
  event: JSON.parse(row.body) as AgentEvent,
  bytes: Buffer.byteLength(row.body),
});

/**
 * Events wait here, on disk, until the collector acknowledges them. Appends are synchronous and
 * fsynced (WAL, synchronous=FULL), so an event the agent produced survives a crash or restart.
 * The same file keeps each condition's debounce track, so a restart neither re-fires nor forgets.
 */
export class Outbox {
  private db: Database.Database;
  private insert: Database.Statement;
  private listeners = new Set<() => void>();
  /** The last append that failed (a full disk, an I/O error), until an append works again. */
  private failedWrite: { at: number; reason: string } | undefined;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tracks (key TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS rejected (id TEXT PRIMARY KEY, body TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
    `);
    this.insert = this.db.prepare("INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)");
  }

  append(event: AgentEvent): void {
    this.written(() => this.insert.run(event.id, JSON.stringify(event)));
    for (const listener of this.listeners) listener();
  }

  /** Runs an append, remembering whether the file took it (for /healthz); rethrows its error. */
  private written(write: () => void): void {
    try {
      write();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      this.failedWrite = { at: Date.now(), reason: e.code ? `${e.message} (${e.code})` : String(e.message ?? err) };
      throw err;
    }
    this.failedWrite = undefined;
  }

  /** Why the outbox cannot take events now (its last append failed and none has worked since), else undefined. */
  writeFailure(): { at: number; reason: string } | undefined {
    return this.failedWrite;
  }

  /** Oldest first. */
  peek(limit: number): AgentEvent[] {
    return this.peekSized(limit).map((e) => e.event);
  }

  /**
   * Oldest first, each with its size in bytes as sent (its JSON, UTF-8); `skip`: ids left out (events
   * waiting aside for a retry of their own).
   */
  peekSized(limit: number, skip: readonly string[] = []): SizedEvent[] {
    const rows = (
      skip.length === 0
        ? this.db.prepare("SELECT body FROM outbox ORDER BY seq LIMIT ?").all(limit)
        : this.db
            .prepare("SELECT body FROM outbox WHERE id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?")
            .all(JSON.stringify(skip), limit)
    ) as { body: string }[];
    return rows.map(sized);
  }

  /** One event by id, if it is still waiting. */
  get(id: string): SizedEvent | undefined {
    const row = this.db.prepare("SELECT body FROM outbox WHERE id = ?").get(id) as { body: string } | undefined;
    return row && sized(row);
  }

  ack(ids: readonly string[]): void {
    const del = this.db.prepare("DELETE FROM outbox WHERE id = ?");
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
  }

  /**
   * Moves an event the collector refused as malformed (400) or too large (413), one larger than any
   * batch may be, or one every collector keeps failing on (5xx) while other events go through, out of
   * the way, so it cannot block the events behind it; it stays on disk, with the reason, for a person
   * to look at.
   */
  reject(id: string, reason: string, at: number): void {
    this.db.transaction(() => {
      const row = this.db.prepare("SELECT body FROM outbox WHERE id = ?").get(id) as
        | { body: string }
        | undefined;
      if (!row) return;
      this.db
        .prepare("INSERT OR REPLACE INTO rejected (id, body, reason, at) VALUES (?, ?, ?, ?)")
        .run(id, row.body, reason, at);
      this.db.prepare("DELETE FROM outbox WHERE id = ?").run(id);
    })();
  }

  /** The events set aside, oldest first, with why and when (ms). */
  rejectedEvents(): Array<{ id: string; reason: string; at: number; event: AgentEvent }> {
    const rows = this.db.prepare("SELECT id, body, reason, at FROM rejected ORDER BY at, id").all() as Array<{
      id: string;
      body: string;
      reason: string;
      at: number;
    }>;
    return rows.map((r) => ({ id: r.id, reason: r.reason, at: r.at, event: JSON.parse(r.body) as AgentEvent }));
  }

  /**
   * Puts set-aside events back in the queue (all of them when `ids` is absent), after the events
   * waiting now; the agent sends them with its next batch. Returns the ids moved; ids not set aside are
   * left out. The collector drops an id it already has, so a retry never doubles an event.
   */
  requeue(ids?: readonly string[]): string[] {
    return this.db.transaction(() => {
      const rows = (
        ids === undefined
          ? this.db.prepare("SELECT id, body FROM rejected ORDER BY at, id").all()
          : ids.map((id) => this.db.prepare("SELECT id, body FROM rejected WHERE id = ?").get(id)).filter(Boolean)
      ) as Array<{ id: string; body: string }>;
      for (const r of rows) {
        this.insert.run(r.id, r.body);
        this.db.prepare("DELETE FROM rejected WHERE id = ?").run(r.id);
      }
      return rows.map((r) => r.id);
    })();
  }

  rejected(): Array<{ id: string; reason: string }> {
    return this.db.prepare("SELECT id, reason FROM rejected ORDER BY at").all() as Array<{
      id: string;
      reason: string;
    }>;
  }

  size(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  loadTracks(): Map<string, unknown> {
    const rows = this.db.prepare("SELECT key, body FROM tracks").all() as { key: string; body: string }[];
    return new Map(rows.map((r) => [r.key, JSON.parse(r.body)]));
  }

  saveTrack(key: string, track: unknown): void {
    this.db
      .prepare(
        "INSERT INTO tracks (key, body) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET body = excluded.body",
      )
      .run(key, JSON.stringify(track));
  }

  /** Records a condition change and its new track in one transaction: both or neither. */
  appendWithTrack(event: AgentEvent, key: string, track: unknown): void {
    this.written(() =>
      this.db.transaction(() => {
        this.insert.run(event.id, JSON.stringify(event));
        this.saveTrack(key, track);
      })(),
    );
    for (const listener of this.listeners) listener();
  }

  close(): void {
    this.db.close();
  }
}
