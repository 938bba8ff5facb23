/**
 * Runs the engine over a scenario with a simulated clock: each line is applied at its own time
 * (the clock never goes back: now = the latest time seen), and the report is taken at the end.
 * Auto faults are named F1, F2, … in the order they appear; manual faults keep their scenario id.
 */
import { LiveEngine } from "./live-engine.ts";
import { type FaultOut, faultOut } from "./fault-out.ts";
import { type KpiReportOut, kpiFor, kpiOut } from "./kpi.ts";
import { parsePeriod } from "./period.ts";
import { defaultPolicy, type Policy } from "./policy.ts";
import type { ScenarioLine } from "./scenario.ts";
import type { AuditDraft, DomainError, EngineState, Inventory, Notice } from "./types.ts";

export interface ReplayOutput {
  faults: FaultOut[];
  kpi: KpiReportOut;
}

export interface ReplayOptions {
  quarter: string;
  policy?: Policy;
  inventory?: Inventory;
}

export interface ReplayRun {
  output: ReplayOutput;
  state: EngineState;
  audit: AuditDraft[];
  notices: Notice[];
  now: number;
}

export function runScenario(lines: ScenarioLine[], opts: ReplayOptions): ReplayRun | DomainError {
  const policy = opts.policy ?? defaultPolicy;
  const period = parsePeriod(opts.quarter, policy.timezone);
  if ("code" in period) return period;
  const inventory: Inventory = { devices: { ...(opts.inventory?.devices ?? {}) } };
  const reserved = new Set<string>();
  for (const l of lines) {
    if (l.kind === "device") inventory.devices[l.device.id] = l.device;
    else if (l.command.type === "open") reserved.add(l.command.faultId);
  }
  let counter = 0;
  const newId = () => {
    let id: string;
    do id = `F${++counter}`;
    while (reserved.has(id));
    return id;
  };
  const commands = lines.filter((l) => l.kind === "command");
  if (commands.length === 0) return { code: "EMPTY_SCENARIO", message: "the scenario has no timeline lines" };
  // The incremental engine; live-engine.test.ts proves it gives the reference engine's results.
  const engine = new LiveEngine();
  let now = Number.NEGATIVE_INFINITY;
  const audit: AuditDraft[] = [];
  const notices: Notice[] = [];
  for (const l of commands) {
    now = Math.max(now, l.at);
    const res = engine.apply(l.command, { now, policy, inventory, newId });
    if (!res.ok)
      return { code: res.error.code, message: `line ${l.line}: ${res.error.message}`, line: l.line };
    audit.push(...res.audit);
    notices.push(...res.notices);
  }
  const state = engine.toState();
  const all = Object.values(state.faults);
  const faults = all
    .filter((f) => f.status !== "folded")
    .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1))
    .map((f) => faultOut(f, now, policy));
  const kpi = kpiOut(kpiFor(period, all, policy, now), policy.timezone);
  return { output: { faults, kpi }, state, audit, notices, now };
}

export function replayScenario(lines: ScenarioLine[], opts: ReplayOptions): ReplayOutput | DomainError {
  const run = runScenario(lines, opts);
  return "code" in run ? run : run.output;
}
