/**
 * SLA deadlines and their evaluation. The contract says "小于" (less than): with the default
 * "strict" comparison a deadline is met only when elapsed < limit, so an ack at exactly 30:00
 * is late, and a fault still not done at the due instant is breached at that instant.
 * "inclusive" allows elapsed <= limit (breached only after the due instant).
 */
import type { Policy } from "./policy.ts";
import type { Deadline, DeadlineEvaluation, Fault, FaultEvaluation } from "./types.ts";

export function deadlinesFor(fault: Pick<Fault, "class" | "openedAt">, policy: Policy): Deadline[] {
  const limits = policy.deadlines[fault.class];
  const out: Deadline[] = [];
  if (limits.respond !== null) {
    out.push({ kind: "respond", limitSeconds: limits.respond, due: fault.openedAt + limits.respond * 1000 });
  }
  if (limits.resolve !== null) {
    out.push({ kind: "resolve", limitSeconds: limits.resolve, due: fault.openedAt + limits.resolve * 1000 });
  }
  return out;
}

/** Elapsed time counts as meeting the limit? */
export function withinLimit(elapsedMs: number, limitSeconds: number, policy: Policy): boolean {
  const limitMs = limitSeconds * 1000;
  return policy.deadlineComparison === "inclusive" ? elapsedMs <= limitMs : elapsedMs < limitMs;
}

/** The first instant at which a deadline not yet done is breached (strict: the due instant itself). */
export function breachInstant(d: Deadline, policy: Policy): number {
  return policy.deadlineComparison === "inclusive" ? d.due + 1 : d.due;
}

/** When the deadline's obligation was fulfilled: response = first ack (or the resolution, which implies it). */
export function doneAt(fault: Fault, kind: Deadline["kind"]): number | undefined {
  if (kind === "resolve") return fault.resolvedAt;
  const { acknowledgedAt: ack, resolvedAt: resolved } = fault;
  if (ack === undefined) return resolved;
  return resolved === undefined ? ack : Math.min(ack, resolved);
}

/** Breached now: done too late, or not done at its breach instant. */
function isBreached(fault: Fault, d: Deadline, now: number, policy: Policy, done: number | undefined): boolean {
  if (done !== undefined) return !withinLimit(Math.max(0, done - fault.openedAt), d.limitSeconds, policy);
  return now >= breachInstant(d, policy);
}

export function evaluateDeadline(fault: Fault, d: Deadline, now: number, policy: Policy): DeadlineEvaluation {
  const done = doneAt(fault, d.kind);
  const breached = isBreached(fault, d, now, policy, done);
  if (done !== undefined) {
    if (!breached) return { ...d, status: "met", metAt: done, doneAt: done };
    return { ...d, status: "breached", doneAt: done, missedBySeconds: Math.max(0, (done - d.due) / 1000) };
  }
  if (breached) {
    return { ...d, status: "breached", missedBySeconds: Math.max(0, (now - d.due) / 1000) };
  }
  return { ...d, status: "pending", secondsLeft: (d.due - now) / 1000 };
}

/**
 * The breaches a derivation records on a fault that is not folded: the deadlines evaluate() calls
 * breached, each with its due instant. Runs for every fault a command touches, so it builds no
 * evaluations.
 */
export function breachesOf(fault: Fault, now: number, policy: Policy): Fault["breaches"] {
  const out: Fault["breaches"] = [];
  for (const d of deadlinesFor(fault, policy))
    if (isBreached(fault, d, now, policy, doneAt(fault, d.kind))) out.push({ deadline: d.kind, at: d.due });
  return out;
}

/**
 * Per deadline met / breached / pending, and overall: exempted (approved exemption) before planned
 * (maintenance window) before breached (any deadline) before pending (any) before met (all).
 */
export function evaluate(fault: Fault, now: number, policy: Policy): FaultEvaluation {
  const deadlines = deadlinesFor(fault, policy).map((d) => evaluateDeadline(fault, d, now, policy));
  if (fault.status === "folded") return { overall: "folded", deadlines: [] };
  if (fault.exemption?.status === "approved") return { overall: "exempted", deadlines };
  if (fault.plannedWindowId !== undefined) return { overall: "planned", deadlines };
  if (deadlines.some((d) => d.status === "breached")) return { overall: "breached", deadlines };
  if (deadlines.some((d) => d.status === "pending")) return { overall: "pending", deadlines };
  return { overall: "met", deadlines };
}
