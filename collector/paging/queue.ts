/**
 * The durable side of paging, in the collector's store (SQLite or PostgreSQL): which steps of each fault were taken
 * (so a restart neither loses nor repeats one), and the send queue (one row per page per person,
 * unique by its dedupe key, so one notification never reaches one person twice).
 */
import type { Selectable } from "kysely";
import type { PageDeliveriesTable } from "../store/schema.ts";
import type { StoreDb } from "../store/store-db.ts";
import type { PageMessage } from "./message.ts";

/**
 * pending → sending (claimed just before it is handed to the channel) → sent / pending (retry) / failed.
 * A row still `sending` when a collector starts or takes over was handed over by a collector that died
 * before it could record the answer: it becomes `unconfirmed` and is not sent again (at most once).
 */
export type DeliveryStatus = "pending" | "sending" | "sent" | "failed" | "cancelled" | "unconfirmed";
export const DELIVERY_STATUSES = ["pending", "sending", "sent", "failed", "cancelled", "unconfirmed"] as const;

export interface Attempt {
  at: number;
  channel: string;
  ok: boolean;
  error?: string;
}

export interface Delivery {
  id: number;
  dedupeKey: string;
  person: string;
  kind: string;
  faultIds: string[];
  message: PageMessage;
  channels: string[];
  channelIndex: number;
  attempts: number;
  status: DeliveryStatus;
  nextAttemptAt: number;
  createdAt: number;
  sentAt?: number;
  sentChannel?: string;
  lastError?: string;
  history: Attempt[];
}

/** The faults one page is about, stored once: its acknowledge link and audit entries name the id. */
export interface PageGroup {
  id: string;
  stepKey: string;
  faultIds: string[];
  /** Each fault's reopen count when paged (same order as faultIds): the occurrence the page was about. */
  episodes: number[];
  createdAt: number;
}

export interface NewDelivery {
  dedupeKey: string;
  person: string;
  faultIds: string[];
  message: PageMessage;
  channels: string[];
}

function toDelivery(r: Selectable<PageDeliveriesTable>): Delivery {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    person: r.person,
    kind: r.kind,
    faultIds: JSON.parse(r.fault_ids),
    message: JSON.parse(r.message),
    channels: JSON.parse(r.channels),
    channelIndex: r.channel_index,
    attempts: r.attempts,
    status: r.status as DeliveryStatus,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    sentAt: r.sent_at ?? undefined,
    sentChannel: r.sent_channel ?? undefined,
    lastError: r.last_error ?? undefined,
    history: JSON.parse(r.history),
  };
}

export class PageQueue {
  constructor(private db: StoreDb) {}

  /** Step keys already taken (sent or superseded) for a fault. */
  async taken(faultId: string): Promise<Set<string>> {
    const rows = await this.db.q
      .selectFrom("page_progress")
      .select("step_key")
      .where("fault_id", "=", faultId)
      .execute();
    return new Set(rows.map((r) => r.step_key));
  }

  /** Step keys already taken for each of many faults (one query for a planning pass). */
  async takenFor(faultIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map(faultIds.map((id) => [id, new Set<string>()]));
    for (let i = 0; i < faultIds.length; i += 500) {
      const part = faultIds.slice(i, i + 500);
      for (const r of await this.db.q
        .selectFrom("page_progress")
        .select(["fault_id", "step_key"])
        .where("fault_id", "in", part)
        .execute())
        out.get(r.fault_id)?.add(r.step_key);
    }
    return out;
  }

  async markTaken(
    faultId: string,
    stepKey: string,
    outcome: "queued" | "superseded" | "nobody",
    at: number,
  ): Promise<void> {
    await this.db.q
      .insertInto("page_progress")
      .values({ fault_id: faultId, step_key: stepKey, outcome, at })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Stores a page group once (its id is derived from its content, so storing it again changes nothing). */
  async saveGroup(g: PageGroup): Promise<void> {
    await this.db.q
      .insertInto("page_groups")
      .values({
        id: g.id,
        step_key: g.stepKey,
        fault_ids: JSON.stringify(g.faultIds),
        episodes: JSON.stringify(g.episodes),
        created_at: g.createdAt,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async group(id: string): Promise<PageGroup | undefined> {
    const r = await this.db.q.selectFrom("page_groups").selectAll().where("id", "=", id).executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id,
      stepKey: r.step_key,
      faultIds: JSON.parse(r.fault_ids),
      episodes: JSON.parse(r.episodes),
      createdAt: r.created_at,
    };
  }

  /** Queues a page for a person; undefined when that exact notification was queued before (dedupe key). */
  async enqueue(d: NewDelivery, now: number): Promise<number | undefined> {
    const row = await this.db.q
      .insertInto("page_deliveries")
      .values({
        dedupe_key: d.dedupeKey,
        person: d.person,
        kind: d.message.kind,
        fault_ids: JSON.stringify(d.faultIds),
        message: JSON.stringify(d.message),
        channels: JSON.stringify(d.channels),
        channel_index: 0,
        attempts: 0,
        status: "pending",
        next_attempt_at: now,
        created_at: now,
        history: "[]",
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .executeTakeFirst();
    return row?.id;
  }

  async due(now: number, limit = 50): Promise<Delivery[]> {
    const rows = await this.db.q
      .selectFrom("page_deliveries")
      .selectAll()
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }

  async nextAttemptAt(): Promise<number | undefined> {
    const row = await this.db.q
      .selectFrom("page_deliveries")
      .select((eb) => eb.fn.min("next_attempt_at").as("t"))
      .where("status", "=", "pending")
      .executeTakeFirst();
    return row?.t ?? undefined;
  }

  async pendingCount(): Promise<number> {
    const row = await this.db.q
      .selectFrom("page_deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Writes the outcome of one attempt: sent, retry later on the same channel, next channel, or failed for good. */
  async update(
    d: Delivery,
    attempt: Attempt,
    next: { status: DeliveryStatus; channelIndex: number; attempts: number; nextAttemptAt: number },
  ): Promise<void> {
    await this.db.q
      .updateTable("page_deliveries")
      .set({
        status: next.status,
        channel_index: next.channelIndex,
        attempts: next.attempts,
        next_attempt_at: next.nextAttemptAt,
        last_error: attempt.ok ? (d.lastError ?? null) : (attempt.error ?? null),
        sent_at: attempt.ok ? attempt.at : null,
        sent_channel: attempt.ok ? attempt.channel : null,
        history: JSON.stringify([...d.history, attempt]),
      })
      .where("id", "=", d.id)
      .execute();
  }

  /**
   * Claims a due delivery just before it is handed to its channel; false when it is no longer pending
   * (cancelled meanwhile). Written before the send, so a collector that dies during it leaves the row
   * `sending`, not `pending`: the next active does not send it again.
   */
  async claim(id: number, at: number): Promise<boolean> {
    const res = await this.db.q
      .updateTable("page_deliveries")
      .set({ status: "sending", next_attempt_at: at })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Rows a dead collector left `sending` become `unconfirmed`; returns them (for the audit trail). */
  async settleInDoubt(at: number): Promise<Delivery[]> {
    const rows = await this.db.q
      .updateTable("page_deliveries")
      .set({ status: "unconfirmed", next_attempt_at: at })
      .where("status", "=", "sending")
      .returningAll()
      .execute();
    return rows.map(toDelivery);
  }

  /** A page still waiting whose faults were answered meanwhile: never sent. */
  async cancel(id: number, at: number): Promise<void> {
    await this.db.q
      .updateTable("page_deliveries")
      .set({ status: "cancelled", next_attempt_at: at })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  }

  async list(filter: { status?: DeliveryStatus; fault?: string; limit?: number } = {}): Promise<Delivery[]> {
    let query = this.db.q.selectFrom("page_deliveries").selectAll();
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.fault) query = query.where(this.db.jsonArrayHas("fault_ids", filter.fault));
    const rows = await query
      .orderBy("id", "desc")
      .limit(filter.limit ?? 200)
      .execute();
    return rows.map(toDelivery);
  }
}
