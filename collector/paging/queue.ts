/**
 * The durable side of paging, in the collector's SQLite file: which steps of each fault were taken
 * (so a restart neither loses nor repeats one), and the send queue (one row per page per person,
 * unique by its dedupe key, so one notification never reaches one person twice).
 */
import type Database from "better-sqlite3";
import type { PageMessage } from "./message.ts";

export type DeliveryStatus = "pending" | "sent" | "failed" | "cancelled";

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

export interface NewDelivery {
  dedupeKey: string;
  person: string;
  faultIds: string[];
  message: PageMessage;
  channels: string[];
}

function toDelivery(r: Record<string, unknown>): Delivery {
  return {
    id: r.id as number,
    dedupeKey: r.dedupe_key as string,
    person: r.person as string,
    kind: r.kind as string,
    faultIds: JSON.parse(r.fault_ids as string),
    message: JSON.parse(r.message as string),
    channels: JSON.parse(r.channels as string),
    channelIndex: r.channel_index as number,
    attempts: r.attempts as number,
    status: r.status as DeliveryStatus,
    nextAttemptAt: r.next_attempt_at as number,
    createdAt: r.created_at as number,
    sentAt: (r.sent_at as number | null) ?? undefined,
    sentChannel: (r.sent_channel as string | null) ?? undefined,
    lastError: (r.last_error as string | null) ?? undefined,
    history: JSON.parse(r.history as string),
  };
}

export class PageQueue {
  constructor(private db: Database.Database) {}

  /** Step keys already taken (sent or superseded) for a fault. */
  taken(faultId: string): Set<string> {
    const rows = this.db
      .prepare("SELECT step_key FROM page_progress WHERE fault_id = ?")
      .all(faultId) as Array<{ step_key: string }>;
    return new Set(rows.map((r) => r.step_key));
  }

  markTaken(faultId: string, stepKey: string, outcome: "queued" | "superseded" | "nobody", at: number): void {
    this.db
      .prepare("INSERT OR IGNORE INTO page_progress (fault_id, step_key, outcome, at) VALUES (?, ?, ?, ?)")
      .run(faultId, stepKey, outcome, at);
  }

  /** Queues a page for a person; false when that exact notification was queued before (dedupe). */
  enqueue(d: NewDelivery, now: number): number | undefined {
    const res = this.db
      .prepare(
        `INSERT OR IGNORE INTO page_deliveries (dedupe_key, person, kind, fault_ids, message, channels, channel_index, attempts, status, next_attempt_at, created_at, history)
         VALUES (?, ?, ?, ?, ?, ?, 0, 0, 'pending', ?, ?, '[]')`,
      )
      .run(
        d.dedupeKey,
        d.person,
        d.message.kind,
        JSON.stringify(d.faultIds),
        JSON.stringify(d.message),
        JSON.stringify(d.channels),
        now,
        now,
      );
    return res.changes === 1 ? Number(res.lastInsertRowid) : undefined;
  }

  due(now: number, limit = 50): Delivery[] {
    return (
      this.db
        .prepare(
          "SELECT * FROM page_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        )
        .all(now, limit) as Array<Record<string, unknown>>
    ).map(toDelivery);
  }

  nextAttemptAt(): number | undefined {
    const row = this.db
      .prepare("SELECT MIN(next_attempt_at) AS t FROM page_deliveries WHERE status = 'pending'")
      .get() as { t: number | null };
    return row.t ?? undefined;
  }

  pendingCount(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM page_deliveries WHERE status = 'pending'").get() as {
        n: number;
      }
    ).n;
  }

  /** Writes the outcome of one attempt: sent, retry later on the same channel, next channel, or failed for good. */
  update(
    d: Delivery,
    attempt: Attempt,
    next: { status: DeliveryStatus; channelIndex: number; attempts: number; nextAttemptAt: number },
  ): void {
    this.db
      .prepare(
        `UPDATE page_deliveries SET status = ?, channel_index = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
           sent_at = ?, sent_channel = ?, history = ? WHERE id = ?`,
      )
      .run(
        next.status,
        next.channelIndex,
        next.attempts,
        next.nextAttemptAt,
        attempt.ok ? (d.lastError ?? null) : (attempt.error ?? null),
        attempt.ok ? attempt.at : null,
        attempt.ok ? attempt.channel : null,
        JSON.stringify([...d.history, attempt]),
        d.id,
      );
  }

  /** A page still waiting whose faults were answered meanwhile: never sent. */
  cancel(id: number, at: number): void {
    this.db
      .prepare(
        "UPDATE page_deliveries SET status = 'cancelled', next_attempt_at = ? WHERE id = ? AND status = 'pending'",
      )
      .run(at, id);
  }

  list(filter: { status?: DeliveryStatus; fault?: string; limit?: number } = {}): Delivery[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      where.push("status = ?");
      args.push(filter.status);
    }
    if (filter.fault) {
      where.push("EXISTS (SELECT 1 FROM json_each(fault_ids) WHERE value = ?)");
      args.push(filter.fault);
    }
    const sql = `SELECT * FROM page_deliveries ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 200) as Array<Record<string, unknown>>).map(
      toDelivery,
    );
  }
}
