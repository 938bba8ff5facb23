/**
 * watchfloor replay SCENARIO.jsonl --quarter 2026Q1 [--config SITE-OR-POLICY.yaml]
 * Runs the fault engine over a scenario with a simulated clock and prints one JSON object
 * {"faults": […], "kpi": {…}}. Bad input: an error naming file:line and what was expected, exit 2.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import {
  defaultPolicy,
  type Inventory,
  type Policy,
  parseScenario,
  policySchema,
  replayScenario,
} from "../collector/domain/index.ts";
import { loadCollectorSite } from "../collector/site.ts";
import { type ConfigError, formatConfigError, loadConfigFile } from "../common/config/load.ts";
import { type PortSelection, portSelectionSchema } from "../common/ports.ts";
import { expandPortLines } from "./replay-ports.ts";

const USAGE = `usage: watchfloor replay SCENARIO.jsonl --quarter 2026Q1 [--config FILE]
  FILE is a site config (its devices become the inventory; its collector.policy the policy;
  its devices' ports: which "port" lines open if.down) or a policy file. Without it, devices are
  taken as they come, the default policy applies and only uplinks' "port" lines open faults.
`;

/** A site config (has a \`site\` key) gives inventory and policy; anything else is read as a policy file. */
function loadReplayConfig(
  file: string,
): { policy: Policy; inventory?: Inventory; ports?: Map<string, PortSelection> } | { errors: ConfigError[] } {
  let isSite = false;
  try {
    const doc = parse(readFileSync(file, "utf8")) as Record<string, unknown> | null;
    isSite = typeof doc === "object" && doc !== null && "site" in doc;
  } catch {
    // Unreadable or not YAML: the loader below says so with file and line.
  }
  if (!isSite) {
    const loaded = loadConfigFile(file, policySchema);
    return loaded.ok ? { policy: loaded.value } : { errors: loaded.errors };
  }
  const { site, errors } = loadCollectorSite(file, { requireCollector: false });
  return site
    ? {
        policy: site.policy,
        inventory: site.inventory,
        ports: new Map(site.config.devices.map((d) => [d.id, d.ports])),
      }
    : { errors };
}

interface ReplayArgs {
  file: string;
  quarter: string;
  config?: string;
}

function parseArgs(args: string[]): ReplayArgs | string {
  let file: string | undefined;
  let quarter: string | undefined;
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    try {
      if (arg === "--quarter" || arg === "--period") quarter = value();
      else if (arg.startsWith("--quarter=")) quarter = arg.slice("--quarter=".length);
      else if (arg === "--config") config = value();
      else if (arg.startsWith("--config=")) config = arg.slice("--config=".length);
      else if (arg.startsWith("-")) return `unknown option ${arg}`;
      else if (file === undefined) file = arg;
      else return `unexpected argument ${arg}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (file === undefined) return "missing SCENARIO.jsonl";
  if (quarter === undefined) return "missing --quarter (e.g. --quarter 2026Q1 or a month, 2026-03)";
  return { file, quarter, ...(config !== undefined ? { config } : {}) };
}

export async function runReplay(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    process.stderr.write(`watchfloor replay: ${parsed}\n${USAGE}`);
    return 2;
  }
  let policy: Policy = defaultPolicy;
  let inventory: Inventory | undefined;
  let ports: Map<string, PortSelection> | undefined;
  if (parsed.config !== undefined) {
    const loaded = loadReplayConfig(parsed.config);
    if ("errors" in loaded) {
      for (const e of loaded.errors) process.stderr.write(`${formatConfigError(e)}\n`);
      return 2;
    }
    ({ policy, inventory, ports } = loaded);
  }
  let text: string;
  try {
    text = readFileSync(parsed.file, "utf8");
  } catch (err) {
    process.stderr.write(`${parsed.file}: cannot read file (${(err as NodeJS.ErrnoException).code})\n`);
    return 2;
  }
  // "port" lines: the agent's port selection (the site's `ports:`, else the default) decides what opens.
  const defaultPorts = portSelectionSchema.parse(undefined);
  const expanded = expandPortLines(text, (device) => ports?.get(device) ?? defaultPorts);
  if (!expanded.ok) {
    process.stderr.write(`${parsed.file}:${expanded.line}: ${expanded.message}\n`);
    return 2;
  }
  const scenario = parseScenario(expanded.text);
  if (!scenario.ok) {
    process.stderr.write(`${parsed.file}:${scenario.line}: ${scenario.message}\n`);
    return 2;
  }
  const result = replayScenario(scenario.lines, {
    quarter: parsed.quarter,
    policy,
    ...(inventory ? { inventory } : {}),
  });
  if ("code" in result) {
    const where = result.line !== undefined ? `${parsed.file}:${result.line}` : parsed.file;
    const message = result.message.replace(/^line \d+: /, "");
    process.stderr.write(`${where}: ${result.code}: ${message}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
