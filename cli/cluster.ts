import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { SqlLeaseStore } from "../collector/cluster/lease-store.ts";
import { clusterView, formatClusterView } from "../collector/cluster/view.ts";
import { DEFAULT_LEASE_SETTINGS } from "../collector/domain/lease.ts";
import { rawMapping } from "../common/config/load.ts";
import { openStoreFromConfig } from "./collector-store.ts";

const USAGE = `usage: watchfloor cluster status --config FILE [--json]
  The collectors of an active/standby cluster (collector.ha) as the shared store sees them: node,
  address, role, last heartbeat, the active's lease expiry.
`;

/** site.timezone and collector.ha.failoverSeconds as written (defaults otherwise); check-config validates them. */
function settingsFrom(file: string): { timeZone: string; failoverSeconds: number } {
  const root = rawMapping(parse(readFileSync(file, "utf8")));
  const timeZone = rawMapping(root.site).timezone;
  const failover = rawMapping(rawMapping(root.collector).ha).failoverSeconds;
  return {
    timeZone: typeof timeZone === "string" ? timeZone : "Asia/Shanghai",
    failoverSeconds: typeof failover === "number" ? failover : DEFAULT_LEASE_SETTINGS.failoverSeconds,
  };
}

export async function runCluster(args: string[]): Promise<number> {
  let parsed: { values: { config?: string; json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { config: { type: "string" }, json: { type: "boolean" } } });
  } catch (err) {
    process.stderr.write(`watchfloor cluster: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals[0] !== "status" || parsed.positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const store = await openStoreFromConfig(parsed.values.config, "cluster status");
  if (!store) return 2;
  try {
    const status = await new SqlLeaseStore(store.db.q, store.db.kind).status();
    const { timeZone, failoverSeconds } = settingsFrom(parsed.values.config!);
    const view = clusterView(status, failoverSeconds, timeZone);
    if (parsed.values.json) process.stdout.write(`${JSON.stringify({ nodes: view })}\n`);
    else if (view.length === 0)
      process.stdout.write(`no collector of this store has joined a cluster (collector.ha) yet (${store.db.where})\n`);
    else process.stdout.write(formatClusterView(view));
    return 0;
  } finally {
    await store.close();
  }
}
