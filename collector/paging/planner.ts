/**
 * The escalation planner: fault + its class's paging policy + SLA policy + now + the steps already
 * taken → the steps due now. Pure, so a simulated clock can walk a fault through its whole policy, and
 * a restarted collector recomputes exactly what is still owed (nothing lost, nothing repeated).
 */
import { breachInstant, deadlinesFor, doneAt, type Fault, type Policy } from "../domain/index.ts";
import type { ClassPolicy } from "./config.ts";

export type StepKind = "page" | "repeat" | "escalate" | "reminder" | "breach" | "resolved";

export interface PlannedStep {
  /** Stable per fault: the progress table remembers it once taken. */
  key: string;
  kind: StepKind;
  dueAt: number;
  /** Roles or person ids, resolved against the roster when the step is taken. */
  targets: readonly string[];
  deadline?: "respond" | "resolve";
  fraction?: number;
  /** Repetition number for repeats (1 = first re-page). */
  repetition?: number;
}

export interface Plan {
  /** Steps to take now. */
  due: PlannedStep[];
  /** Steps that fell due but were overtaken by a later step of the same series (after downtime): recorded, not sent. */
  superseded: PlannedStep[];
  /** Steps not yet due, soonest first: a group forming now may take them early. */
  upcoming: PlannedStep[];
  /** The next instant something becomes due (undefined: nothing more for this fault). */
  nextAt?: number;
}

interface Candidate extends PlannedStep {
  series: string;
  active: boolean;
}

function candidates(
  fault: Fault,
  policy: ClassPolicy,
  sla: Policy,
  groupWaitMs: number,
  now: number,
): Candidate[] {
  const out: Candidate[] = [];
  // A reopened fault is paged afresh from its reopening; its deadlines still run from the first open.
  const epoch = fault.reopenCount > 0 ? (fault.reopenedAt.at(-1) ?? fault.openedAt) : fault.openedAt;
  const round = `e${fault.reopenCount}`;
  const unanswered = fault.status === "open";
  policy.steps.forEach((step, i) => {
    const start = epoch + step.after * 1000 + groupWaitMs;
    const times = step.repeat?.times ?? 0;
    for (let r = 0; r <= times; r++) {
      const kind: StepKind = r > 0 ? "repeat" : i === 0 ? "page" : "escalate";
      out.push({
        key: `${round}:step:${i}:${r}`,
        series: `${round}:step:${i}`,
        kind,
        dueAt: start + r * (step.repeat?.every ?? 0) * 1000,
        targets: step.notify,
        ...(r > 0 ? { repetition: r } : {}),
        active: unanswered,
      });
    }
  });
  const live = fault.status === "open" || fault.status === "acknowledged";
  for (const d of deadlinesFor(fault, sla)) {
    const done = doneAt(fault, d.kind);
    const breachAt = breachInstant(d, sla);
    for (const fraction of policy.reminders)
      out.push({
        key: `remind:${d.kind}:${fraction}`,
        series: `remind:${d.kind}`,
        kind: "reminder",
        dueAt: fault.openedAt + Math.round(fraction * d.limitSeconds * 1000),
        targets: policy.remind,
        deadline: d.kind,
        fraction,
        // Past the breach a reminder has nothing left to say: the breach notice speaks instead.
        active: live && done === undefined && now < breachAt,
      });
    out.push({
      key: `breach:${d.kind}`,
      series: `breach:${d.kind}`,
      kind: "breach",
      dueAt: breachAt,
      targets: policy.breach,
      deadline: d.kind,
      active: done === undefined || done >= breachAt,
    });
  }
  if (policy.resolved.length > 0 && fault.resolvedAt !== undefined)
    out.push({
      key: `resolved:${fault.reopenCount}`,
      series: "resolved",
      kind: "resolved",
      dueAt: fault.resolvedAt,
      targets: policy.resolved,
      active: fault.status === "resolved" || fault.status === "closed",
    });
  return out;
}

/** What is owed for one fault at `now`, given the step keys already taken (`done`). */
export function planSteps(input: {
  fault: Fault;
  policy: ClassPolicy;
  sla: Policy;
  now: number;
  done: ReadonlySet<string>;
  groupWaitMs?: number;
}): Plan {
  const { fault, now, done } = input;
  // Folded children travel in their parent's pages; planned work (maintenance window) pages nobody.
  if (fault.status === "folded" || fault.plannedWindowId !== undefined)
    return { due: [], superseded: [], upcoming: [] };
  const all = candidates(fault, input.policy, input.sla, input.groupWaitMs ?? 0, now).filter(
    (c) => c.active && !done.has(c.key),
  );
  // A resolution notice only for faults somebody was actually paged about.
  const paged = [...done].some((k) => k.includes(":step:"));
  const open = all.filter((c) => c.kind !== "resolved" || paged);
  const dueNow = open.filter((c) => c.dueAt <= now);
  const latest = new Map<string, Candidate>();
  for (const c of dueNow) {
    const seen = latest.get(c.series);
    if (!seen || c.dueAt > seen.dueAt) latest.set(c.series, c);
  }
  const strip = ({ series: _s, active: _a, ...step }: Candidate): PlannedStep => step;
  const due = [...latest.values()].sort((a, b) => a.dueAt - b.dueAt).map(strip);
  const superseded = dueNow.filter((c) => latest.get(c.series) !== c).map(strip);
  const upcoming = open.filter((c) => c.dueAt > now).sort((a, b) => a.dueAt - b.dueAt);
  return {
    due,
    superseded,
    upcoming: upcoming.map(strip),
    ...(upcoming.length > 0 ? { nextAt: upcoming[0]!.dueAt } : {}),
  };
}
