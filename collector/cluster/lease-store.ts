/**
 * The lease and the nodes table in the collectors' shared store. judge() is judgeLease
 * (collector/domain/lease.ts) as one conditional UPDATE, on the database's clock: concurrent nodes
 * queue on the row lock and each re-reads the row the other wrote, so two can never both be granted it.
 * test/collector/lease-store.test.ts holds the SQL to the pure rule case by case on a real PostgreSQL.
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Tables } from "../store/schema.ts";
import type { Lease, LeaseHolder, LeaseSettings } from "../domain/lease.ts";
import type { ClusterNodeRow, LeaseStore } from "./node.ts";
import type { ClusterStatus } from "./view.ts";

/** The lease row's name (collector/store/migrations.ts creates it with the tables). */
const LEASE = "collector";
/** A node's rows of earlier process starts are kept this long (cluster status shows the newest). */
const NODE_ROW_RETENTION_MS = 7 * 86_400_000;

export type LeaseDialect = "sqlite" | "postgres";

interface LeaseRow {
  holder_node: string | null;
  holder_instance: string | null;
  epoch: number | string;
  expires_at: number | string;
  now: number | string;
}

function toLease(r: LeaseRow): { lease: Lease; now: number } {
  return {
    lease: {
      ...(r.holder_node !== null && r.holder_instance !== null ? { holder: { node: r.holder_node, instance: r.holder_instance } } : {}),
      epoch: Number(r.epoch),
      expiresAt: Number(r.expires_at),
    },
    now: Number(r.now),
  };
}

export class SqlLeaseStore implements LeaseStore {
  constructor(
    private db: Kysely<Tables>,
    private dialect: LeaseDialect,
  ) {}

  /** Milliseconds since the epoch on the database's clock (the statement's time on PostgreSQL, not the transaction's). */
  private nowMs(): RawBuilder<number> {
    return this.dialect === "postgres"
      ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
      : sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
  }

  /**
   * The fence at the start of each of the active's transactions, on that transaction's connection:
   * true while `me` holds a live lease. On PostgreSQL the row is locked FOR SHARE until the
   * transaction ends, so a standby's takeover (an UPDATE of the row) waits for it, and a transaction
   * that starts after the takeover sees the new holder: nothing the old active writes commits after the
   * new one took over. (SQLite has one writer at a time already.)
   */
  async holds(q: Kysely<Tables>, me: LeaseHolder): Promise<boolean> {
    const lock = this.dialect === "postgres" ? sql` FOR SHARE` : sql``;
    const row = await sql<{ held: number }>`
      SELECT 1 AS held FROM cluster_lease
      WHERE name = ${LEASE} AND holder_node = ${me.node} AND holder_instance = ${me.instance} AND expires_at > ${this.nowMs()}${lock}`.execute(q);
    return row.rows.length === 1;
  }

  async judge(me: LeaseHolder, settings: LeaseSettings): Promise<{ lease: Lease; now: number }> {
    const failoverMs = settings.failoverSeconds * 1000;
    const mine = sql`(l.holder_node = ${me.node} AND l.holder_instance = ${me.instance})`;
    // Acquire when free or lapsed (a new epoch), renew when ours and alive (same epoch): judgeLease.
    const granted = await sql<LeaseRow>`
      WITH t AS (SELECT ${this.nowMs()} AS now)
      UPDATE cluster_lease AS l SET
        holder_node = ${me.node},
        holder_instance = ${me.instance},
        epoch = CASE WHEN ${mine} AND l.expires_at > t.now THEN l.epoch ELSE l.epoch + 1 END,
        expires_at = t.now + ${failoverMs}
      FROM t
      WHERE l.name = ${LEASE} AND (l.holder_node IS NULL OR l.expires_at <= t.now OR ${mine})
      RETURNING holder_node, holder_instance, epoch, expires_at, expires_at - ${failoverMs} AS now`.execute(this.db);
    if (granted.rows[0]) return toLease(granted.rows[0]);
    return this.read();
  }

  private async read(): Promise<{ lease: Lease; now: number }> {
    const row = await sql<LeaseRow>`
      SELECT holder_node, holder_instance, epoch, expires_at, ${this.nowMs()} AS now FROM cluster_lease WHERE name = ${LEASE}`.execute(
      this.db,
    );
    if (!row.rows[0]) throw new Error("the cluster_lease table has no lease row (was the store migrated?)");
    return toLease(row.rows[0]);
  }

  async release(me: LeaseHolder): Promise<void> {
    await sql`
      UPDATE cluster_lease SET holder_node = NULL, holder_instance = NULL, expires_at = ${this.nowMs()}
      WHERE name = ${LEASE} AND holder_node = ${me.node} AND holder_instance = ${me.instance}`.execute(this.db);
  }

  async beat(row: Omit<ClusterNodeRow, "lastHeartbeat">): Promise<void> {
    await sql`
      INSERT INTO cluster_nodes (node, instance, address, role, last_heartbeat, lease_expires_at, epoch)
      VALUES (${row.node}, ${row.instance}, ${row.address}, ${row.role}, ${this.nowMs()}, ${row.leaseExpiresAt ?? null}, ${row.epoch ?? null})
      ON CONFLICT (node, instance) DO UPDATE SET
        address = excluded.address, role = excluded.role, last_heartbeat = excluded.last_heartbeat,
        lease_expires_at = excluded.lease_expires_at, epoch = excluded.epoch`.execute(this.db);
    await sql`DELETE FROM cluster_nodes WHERE node = ${row.node} AND instance <> ${row.instance} AND last_heartbeat < ${this.nowMs()} - ${NODE_ROW_RETENTION_MS}`.execute(
      this.db,
    );
  }

  async status(): Promise<ClusterStatus> {
    const { lease, now } = await this.read();
    const rows = await sql<{
      node: string;
      instance: string;
      address: string;
      role: ClusterNodeRow["role"];
      last_heartbeat: number | string;
      lease_expires_at: number | string | null;
      epoch: number | string | null;
    }>`SELECT node, instance, address, role, last_heartbeat, lease_expires_at, epoch FROM cluster_nodes ORDER BY node, last_heartbeat DESC`.execute(
      this.db,
    );
    return {
      lease,
      now,
      nodes: rows.rows.map((r) => ({
        node: r.node,
        instance: r.instance,
        address: r.address,
        role: r.role,
        lastHeartbeat: Number(r.last_heartbeat),
        ...(r.lease_expires_at !== null ? { leaseExpiresAt: Number(r.lease_expires_at) } : {}),
        ...(r.epoch !== null ? { epoch: Number(r.epoch) } : {}),
      })),
    };
  }
}
