/**
 * Faults read back from their rows. Archived faults live only here: the collector's engine lets go of
 * them once their archiving is committed (LiveEngine.releaseArchived), so its memory does not grow
 * with the archive, and whoever needs one (a fault page, a period's report or KPI, an action naming
 * one) reads it from the store.
 */
import { archivedRefs, type Command, type Fault } from "../domain/index.ts";
import type { StoreDb } from "./store-db.ts";

export class FaultRows {
  constructor(private db: StoreDb) {}

  /**
   * The archived faults a command refers to (archivedRefs), to hand to LiveEngine.apply. Only an
   * action naming a fault by id (or an open under an id) reads a row by its primary key; one naming
   * a device and condition reads that pair's archived rows (the API names faults by id; `replay`
   * scenarios run on an engine of their own).
   */
  async archivedFor(cmd: Command): Promise<Map<string, Fault>> {
    const refs = archivedRefs(cmd);
    const out = new Map<string, Fault>();
    if ("ids" in refs && refs.ids.length === 0) return out;
    let q = this.archivedRows().select(["id", "body"]);
    q = "ids" in refs ? q.where("id", "in", refs.ids) : q.where("device", "=", refs.device).where("condition", "=", refs.condition);
    for (const r of await q.execute()) out.set(r.id, JSON.parse(r.body) as Fault);
    return out;
  }

  /**
   * An archived fault. Only archived rows are read: a row whose fault the engine merged away in a
   * transaction not yet committed must not show.
   */
  async archivedById(id: string): Promise<Fault | undefined> {
    const r = await this.archivedRows().select("body").where("id", "=", id).executeTakeFirst();
    return r ? (JSON.parse(r.body) as Fault) : undefined;
  }

  /** Archived faults in the order they were first written, those opened in [start, end) when given. */
  async archived(openedIn?: { start: number; end: number }): Promise<Fault[]> {
    let q = this.archivedRows().select("body").orderBy("rowid");
    if (openedIn) q = q.where("opened_at", ">=", openedIn.start).where("opened_at", "<", openedIn.end);
    return (await q.execute()).map((r) => JSON.parse(r.body) as Fault);
  }

  /** Archived faults that carry an exemption (requested, approved or rejected): the client auditor's ledger. */
  async archivedWithExemption(): Promise<Fault[]> {
    const rows = await this.archivedRows()
      .select("body")
      .where(this.db.jsonField("body", "exemption"), "is not", null)
      .orderBy("rowid")
      .execute();
    return rows.map((r) => JSON.parse(r.body) as Fault);
  }

  private archivedRows() {
    return this.db.q.selectFrom("faults").where("archived_at", "is not", null);
  }
}
