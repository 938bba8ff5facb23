/**
 * Inspection rows in the collector's SQLite file (tables made by the migration in store/db.ts).
 * Rounds and hazards are kept as JSON bodies with the columns queries need; synchronous like the rest.
 */
import type Database from "better-sqlite3";
import type { Hazard, Round } from "../domain/inspections/index.ts";

export class InspectionStore {
  constructor(readonly db: Database.Database) {}

  cursor(templateId: string): number | undefined {
    const row = this.db.prepare("SELECT cursor FROM inspection_cursors WHERE template_id = ?").get(templateId) as
      | { cursor: number }
      | undefined;
    return row?.cursor;
  }

  setCursor(templateId: string, cursor: number): void {
    this.db
      .prepare(
        "INSERT INTO inspection_cursors (template_id, cursor) VALUES (?, ?) ON CONFLICT(template_id) DO UPDATE SET cursor = MAX(cursor, excluded.cursor)",
      )
      .run(templateId, cursor);
  }

  /** Inserts a new round; false when a round with its key exists (that firing was already created). */
  insertRound(r: Round): boolean {
    const res = this.db
      .prepare(
        "INSERT OR IGNORE INTO inspection_rounds (id, key, template_id, fired_at, due_at, status, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(r.id, r.key, r.templateId, r.firedAt, r.dueAt, r.status, JSON.stringify(r));
    return res.changes === 1;
  }

  saveRound(r: Round): void {
    this.db.prepare("UPDATE inspection_rounds SET status = ?, body = ? WHERE id = ?").run(r.status, JSON.stringify(r), r.id);
  }

  round(id: string): Round | undefined {
    const row = this.db.prepare("SELECT body FROM inspection_rounds WHERE id = ?").get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Round) : undefined;
  }

  /** Rounds fired in [from, to), newest first; or every round not completed (open: true). */
  rounds(q: { from?: number; to?: number; open?: boolean; template?: string; limit?: number } = {}): Round[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (clause: string, ...values: Array<string | number>) => {
      where.push(clause);
      args.push(...values);
    };
    if (q.from !== undefined) add("fired_at >= ?", q.from);
    if (q.to !== undefined) add("fired_at < ?", q.to);
    if (q.open) add("status != 'completed'");
    if (q.template) add("template_id = ?", q.template);
    const sql = `SELECT body FROM inspection_rounds ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY fired_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit ?? 1000) as Array<{ body: string }>).map(
      (r) => JSON.parse(r.body) as Round,
    );
  }

  /** The audit entries about one round, oldest first (index audit_round). */
  roundAudit(roundId: string): Array<{ seq: number; at: number; actor: string; action: string; detail: Record<string, unknown> }> {
    return (
      this.db
        .prepare("SELECT seq, at, actor, action, detail FROM audit WHERE json_extract(detail, '$.round') = ? ORDER BY seq")
        .all(roundId) as Array<{ seq: number; at: number; actor: string; action: string; detail: string }>
    ).map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  /** Marks a round as reported overdue; false when it was before (the page goes out once). */
  markOverdue(roundId: string, at: number): boolean {
    return (
      this.db.prepare("INSERT OR IGNORE INTO inspection_overdue (round_id, at) VALUES (?, ?)").run(roundId, at).changes === 1
    );
  }

  putPhoto(sha256: string, mime: string, bytes: Buffer, by: string, at: number): boolean {
    return (
      this.db
        .prepare(
          "INSERT OR IGNORE INTO inspection_photos (sha256, mime, bytes, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(sha256, mime, bytes, by, at).changes === 1
    );
  }

  photo(sha256: string): { mime: string; bytes: Buffer } | undefined {
    return this.db.prepare("SELECT mime, bytes FROM inspection_photos WHERE sha256 = ?").get(sha256) as
      | { mime: string; bytes: Buffer }
      | undefined;
  }

  hasPhoto(sha256: string): boolean {
    return this.db.prepare("SELECT 1 FROM inspection_photos WHERE sha256 = ?").get(sha256) !== undefined;
  }

  /** The stored answer to a request already applied under this client id. */
  request(clientId: string): { actor: string; status: number; response: unknown } | undefined {
    const row = this.db.prepare("SELECT actor, status, response FROM inspection_requests WHERE client_id = ?").get(clientId) as
      | { actor: string; status: number; response: string }
      | undefined;
    return row ? { actor: row.actor, status: row.status, response: JSON.parse(row.response) } : undefined;
  }

  rememberRequest(clientId: string, actor: string, at: number, status: number, response: unknown): void {
    this.db
      .prepare("INSERT OR IGNORE INTO inspection_requests (client_id, actor, at, status, response) VALUES (?, ?, ?, ?, ?)")
      .run(clientId, actor, at, status, JSON.stringify(response));
  }

  insertHazard(h: Hazard): void {
    this.db
      .prepare("INSERT INTO hazards (id, status, reported_at, body) VALUES (?, ?, ?, ?)")
      .run(h.id, h.status, h.reported.at, JSON.stringify(h));
  }

  saveHazard(h: Hazard): void {
    this.db.prepare("UPDATE hazards SET status = ?, body = ? WHERE id = ?").run(h.status, JSON.stringify(h), h.id);
  }

  hazard(id: string): Hazard | undefined {
    const row = this.db.prepare("SELECT body FROM hazards WHERE id = ?").get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Hazard) : undefined;
  }

  hazards(q: { open?: boolean; status?: string } = {}): Hazard[] {
    const where = q.open ? "WHERE status != 'closed'" : q.status ? "WHERE status = ?" : "";
    const args = !q.open && q.status ? [q.status] : [];
    return (
      this.db.prepare(`SELECT body FROM hazards ${where} ORDER BY reported_at DESC, id`).all(...args) as Array<{ body: string }>
    ).map((r) => JSON.parse(r.body) as Hazard);
  }
}
