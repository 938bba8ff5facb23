import { runCheckConfig } from "./check-config.ts";

const USAGE = `usage: watchfloor <command> [options]

commands:
  check-config FILE                     validate a site config (or a profile / policy file)
  replay SCENARIO.jsonl --quarter 2026Q1 [--config FILE]
                                        run the fault engine over a scenario; print faults and KPI as JSON
  profile test RECORDING [--profile ID|auto] [--json]
                                        serve an SNMP walk through snmpsim and show what the profiles read and miss
  audit verify --config FILE            prove the audit trail was not edited, deleted or reordered
  user add NAME --role ROLE --config FILE
                                        create an API user and print its token
  store backup --config FILE --out PATH  online backup of the collector's store (checked)
  store restore --config FILE --from PATH
                                        put a backup in place (collector stopped; the old store is kept)
  store check PATH                      check a backup: SQLite integrity, audit hash chain
  store check --config FILE             check the live store: SQLite quick_check and integrity_check (exit 1 when damaged)
  report verify FILE --config FILE      check a KPI report (HTML, CSV or PDF) against the record
  cluster status --config FILE [--json]
                                        the active/standby collectors (collector.ha): node, address, role, heartbeat, lease
  outbox rejected --config FILE [--json]
                                        the events an agent set aside (refused or failed by the collectors), with why
  outbox retry --config FILE (--all | ID...)
                                        put set-aside events back in the agent's queue
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  "check-config": async () => runCheckConfig,
  replay: async () => (await import("./replay.ts")).runReplay,
  user: async () => (await import("./user.ts")).runUser,
  audit: async () => (await import("./audit.ts")).runAudit,
  profile: async () => (await import("./profile-test.ts")).runProfileTest,
  store: async () => (await import("./store.ts")).runStore,
  report: async () => (await import("./report.ts")).runReport,
  cluster: async () => (await import("./cluster.ts")).runCluster,
  outbox: async () => (await import("./outbox.ts")).runOutbox,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`watchfloor: unknown command ${name}\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}
