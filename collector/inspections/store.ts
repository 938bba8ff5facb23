/**
 * Inspection rows in the collector's store (tables made by collector/store/migrations.ts). Rounds and
 * hazards are kept as JSON bodies with the columns queries need.
 */
import type { Hazard, Round } from "../domain/inspections/index.ts";
import type { StoreDb } from "../store/store-db.ts";

export class InspectionStore {
  constructor(readonly db: StoreDb) {}

  async cursor(templateId: string): Promise<number | undefined> {
    const row = await this.db.q
      .selectFrom("inspection_cursors")
      .select("cursor")
      .where("template_id", "=", templateId)
      .executeTakeFirst();
    return row?.cursor;
  }

  /** Moves a template's cursor forward (never back). */
  async setCursor(templateId: string, cursor: number): Promise<void> {
    await this.db.q
      .insertInto("inspection_cursors")
      .values({ template_id: templateId, cursor })
      .onConflict((oc) =>
        oc.column("template_id").doUpdateSet({ cursor: this.db.keepGreater("inspection_cursors", "cursor") }),
      )
      .execute();
  }

  /** Inserts a new round; false when a round with its key exists (that firing was already created). */
  async insertRound(r: Round): Promise<boolean> {
    const rows = await this.db.q
      .insertInto("inspection_rounds")
      .values({
        id: r.id,
        key: r.key,
        template_id: r.templateId,
        fired_at: r.firedAt,
        due_at: r.dueAt,
        status: r.status,
        body: JSON.stringify(r),
      })
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .execute();
    return rows.length === 1;
  }

  async saveRound(r: Round): Promise<void> {
    await this.db.q
      .updateTable("inspection_rounds")
      .set({ status: r.status, body: JSON.stringify(r) })
      .where("id", "=", r.id)
      .execute();
  }

  async round(id: string): Promise<Round | undefined> {
    const row = await this.db.q
      .selectFrom("inspection_rounds")
      .select("body")
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? (JSON.parse(row.body) as Round) : undefined;
  }

  /** Rounds fired in [from, to), newest first; or every round not completed (open: true). */
  async rounds(
    q: { from?: number; to?: number; open?: boolean; template?: string; limit?: number } = {},
  ): Promise<Round[]> {
    let query = this.db.q.selectFrom("inspection_rounds").select(["body", "id", "fired_at"]);
    if (q.from !== undefined) query = query.where("fired_at", ">=", q.from);
    if (q.to !== undefined) query = query.where("fired_at", "<", q.to);
    if (q.open) query = query.where("status", "!=", "completed");
    if (q.template) query = query.where("template_id", "=", q.template);
    const rows = await query
      .orderBy("fired_at", "desc")
      .orderBy("id")
      .limit(q.limit ?? 1000)
      .execute();
    // Ties on fired_at in code-point order of the id, the same in both stores.
    rows.sort((a, b) => b.fired_at - a.fired_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.map((r) => JSON.parse(r.body) as Round);
  }

  /** The audit entries about one round, oldest first (index audit_round). */
  async roundAudit(
    roundId: string,
  ): Promise<
    Array<{ seq: number; at: number; actor: string; action: string; detail: Record<string, unknown> }>
  > {
    const rows = await this.db.q
      .selectFrom("audit")
      .select(["seq", "at", "actor", "action", "detail"])
      .where(this.db.jsonField("detail", "round"), "=", roundId)
      .orderBy("seq")
      .execute();
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  /** Marks a round as reported overdue; false when it was before (the page goes out once). */
  async markOverdue(roundId: string, at: number): Promise<boolean> {
    const rows = await this.db.q
      .insertInto("inspection_overdue")
      .values({ round_id: roundId, at })
      .onConflict((oc) => oc.doNothing())
      .returning("round_id")
      .execute();
    return rows.length === 1;
  }

  async putPhoto(sha256: string, mime: string, bytes: Buffer, by: string, at: number): Promise<boolean> {
    const rows = await this.db.q
      .insertInto("inspection_photos")
      .values({ sha256, mime, bytes, uploaded_by: by, uploaded_at: at })
      .onConflict((oc) => oc.doNothing())
      .returning("sha256")
      .execute();
    return rows.length === 1;
  }

  photo(sha256: string): Promise<{ mime: string; bytes: Buffer } | undefined> {
    return this.db.q
      .selectFrom("inspection_photos")
      .select(["mime", "bytes"])
      .where("sha256", "=", sha256)
      .executeTakeFirst();
  }

  async hasPhoto(sha256: string): Promise<boolean> {
    return (
      (await this.db.q
        .selectFrom("inspection_photos")
        .select("sha256")
        .where("sha256", "=", sha256)
        .executeTakeFirst()) !== undefined
    );
  }

  /** The stored answer to a request already applied under this client id. */
  async request(clientId: string): Promise<{ actor: string; status: number; response: unknown } | undefined> {
    const row = await this.db.q
      .selectFrom("inspection_requests")
      .select(["actor", "status", "response"])
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    return row ? { actor: row.actor, status: row.status, response: JSON.parse(row.response) } : undefined;
  }

  async rememberRequest(
    clientId: string,
    actor: string,
    at: number,
    status: number,
    response: unknown,
  ): Promise<void> {
    await this.db.q
      .insertInto("inspection_requests")
      .values({ client_id: clientId, actor, at, status, response: JSON.stringify(response) })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async insertHazard(h: Hazard): Promise<void> {
    await this.db.q
      .insertInto("hazards")
      .values({ id: h.id, status: h.status, reported_at: h.reported.at, body: JSON.stringify(h) })
      .execute();
  }

  async saveHazard(h: Hazard): Promise<void> {
    await this.db.q
      .updateTable("hazards")
      .set({ status: h.status, body: JSON.stringify(h) })
      .where("id", "=", h.id)
      .execute();
  }

  async hazard(id: string): Promise<Hazard | undefined> {
    const row = await this.db.q.selectFrom("hazards").select("body").where("id", "=", id).executeTakeFirst();
    return row ? (JSON.parse(row.body) as Hazard) : undefined;
  }

  async hazards(q: { open?: boolean; status?: string } = {}): Promise<Hazard[]> {
    let query = this.db.q.selectFrom("hazards").select(["body", "id", "reported_at"]);
    if (q.open) query = query.where("status", "!=", "closed");
    else if (q.status) query = query.where("status", "=", q.status);
    const rows = await query.execute();
    rows.sort((a, b) => b.reported_at - a.reported_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.map((r) => JSON.parse(r.body) as Hazard);
  }
}
