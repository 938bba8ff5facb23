/**
 * The cluster as people see it (`watchfloor cluster status`, GET /api/v1/cluster): one line per node,
 * its role judged from the lease and the heartbeats on the database's clock, not from what each node
 * last said of itself (a node killed with SIGKILL said "active" last).
 */
import { formatInstant } from "../domain/index.ts";
import { type Lease, sameHolder } from "../domain/lease.ts";
import type { ClusterNodeRow } from "./node.ts";

export type ViewRole = "active" | "standby" | "stopped" | "unavailable";

export interface NodeView {
  node: string;
  address: string;
  role: ViewRole;
  last_heartbeat: string;
  heartbeat_age_seconds: number;
  /** The active's lease: when it lapses unless renewed. */
  lease_expires?: string;
}

export interface ClusterStatus {
  lease?: Lease;
  /** The database's clock when the rows were read. */
  now: number;
  nodes: ClusterNodeRow[];
}

/**
 * The holder of a live lease is active; a node that stopped politely is stopped; one whose last
 * heartbeat is older than the failover delay is unavailable (Zabbix's word); the rest are standbys.
 * A node has a row per process start: the newest is shown, and an older one only while it still holds
 * the lease (a killed process whose successor already stands by).
 */
export function clusterView(status: ClusterStatus, failoverSeconds: number, timeZone: string): NodeView[] {
  const newest = new Map<string, ClusterNodeRow>();
  for (const row of status.nodes) {
    const seen = newest.get(row.node);
    if (!seen || row.lastHeartbeat > seen.lastHeartbeat) newest.set(row.node, row);
  }
  const leaseAlive = status.lease?.holder !== undefined && status.now < status.lease.expiresAt;
  const shown = status.nodes.filter((row) => newest.get(row.node) === row || (leaseAlive && sameHolder(status.lease?.holder, row)));
  return shown
    .sort((a, b) => a.node.localeCompare(b.node) || b.lastHeartbeat - a.lastHeartbeat)
    .map((row) => {
      const holds = leaseAlive && sameHolder(status.lease!.holder, row);
      const age = Math.max(0, status.now - row.lastHeartbeat);
      const role: ViewRole = holds
        ? "active"
        : row.role === "stopped"
          ? "stopped"
          : age > failoverSeconds * 1000
            ? "unavailable"
            : "standby";
      return {
        node: row.node,
        address: row.address,
        role,
        last_heartbeat: formatInstant(row.lastHeartbeat, timeZone),
        heartbeat_age_seconds: Math.round(age / 1000),
        ...(holds ? { lease_expires: formatInstant(status.lease!.expiresAt, timeZone) } : {}),
      };
    });
}

const ROLE_ZH: Record<ViewRole, string> = { active: "主用", standby: "备用", stopped: "已停止", unavailable: "失联" };

/** The table `watchfloor cluster status` prints. */
export function formatClusterView(view: NodeView[]): string {
  const header = ["NODE", "ADDRESS", "ROLE", "LAST HEARTBEAT", "LEASE EXPIRES"];
  const rows = view.map((n) => [
    n.node,
    n.address,
    `${n.role} ${ROLE_ZH[n.role]}`,
    `${n.last_heartbeat} (${n.heartbeat_age_seconds} s ago)`,
    n.lease_expires ?? "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - displayWidth(c))))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** Columns in a terminal: a CJK character takes two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
