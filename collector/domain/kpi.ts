/**
 * The KPI "故障处理及时率" for a period (quarter or month, site time zone). A fault belongs to the
 * period in which it opened; folded children are not faults, nor are the conditions the policy
 * excludes from the KPI (kpi.excludeConditions: administrative reminders such as roster.missing). Each fault counts once as met,
 * breached, exempted, planned or pending, so total = met + breached + exempted + planned + pending.
 * timeliness = met / (met + breached), 1 when both are 0; deduction = contract total × rate when
 * the target is missed.
 */
import { evaluate } from "./deadlines.ts";
import { matchesAny } from "./pattern.ts";
import { inPeriod } from "./period.ts";
import type { Policy } from "./policy.ts";
import { formatInstant } from "./time-format.ts";
import type { Fault, FaultClass, Period } from "./types.ts";

export interface KpiBreach {
  faultId: string;
  class: FaultClass;
  deadline: "respond" | "resolve";
  due: number;
  missedBySeconds: number;
}

export interface KpiReport {
  period: Period;
  at: number;
  total: number;
  met: number;
  breached: number;
  exempted: number;
  planned: number;
  pending: number;
  timeliness: number;
  target: number;
  metTarget: boolean;
  deductionCny: number;
  breaches: KpiBreach[];
}

export interface KpiReportOut {
  period: string;
  total: number;
  met: number;
  breached: number;
  exempted: number;
  planned: number;
  pending: number;
  timeliness: number;
  target: number;
  met_target: boolean;
  deduction_cny: number;
  breaches: Array<{
    fault: string;
    class: FaultClass;
    deadline: string;
    due: string;
    missed_by_seconds: number;
  }>;
}

/** What a set of faults adds to a period's KPI: counts and breaches (kpiFromTallies adds them up). */
export interface KpiTally {
  met: number;
  breached: number;
  exempted: number;
  planned: number;
  pending: number;
  breaches: KpiBreach[];
}

export function kpiTally(period: Period, faults: Iterable<Fault>, policy: Policy, now: number): KpiTally {
  const tally: KpiTally = { met: 0, breached: 0, exempted: 0, planned: 0, pending: 0, breaches: [] };
  for (const f of faults) {
    if (f.status === "folded" || !inPeriod(f.openedAt, period) || matchesAny(f.condition, policy.kpi.excludeConditions))
      continue;
    const ev = evaluate(f, now, policy);
    if (ev.overall === "folded") continue;
    tally[ev.overall] += 1;
    if (ev.overall !== "breached") continue;
    for (const d of ev.deadlines) {
      if (d.status !== "breached") continue;
      tally.breaches.push({
        faultId: f.id,
        class: f.class,
        deadline: d.kind,
        due: d.due,
        missedBySeconds: d.missedBySeconds ?? 0,
      });
    }
  }
  return tally;
}

/**
 * The report from the tallies of disjoint sets of faults (the collector: the live faults, and the
 * archived ones, whose tally never changes once made since they do not).
 */
export function kpiFromTallies(period: Period, tallies: KpiTally[], policy: Policy, now: number): KpiReport {
  const counts = { met: 0, breached: 0, exempted: 0, planned: 0, pending: 0 };
  const breaches: KpiBreach[] = [];
  for (const t of tallies) {
    for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += t[k];
    breaches.push(...t.breaches);
  }
  breaches.sort((a, b) => a.due - b.due || (a.faultId < b.faultId ? -1 : a.faultId > b.faultId ? 1 : 0));
  const scored = counts.met + counts.breached;
  const timeliness = scored === 0 ? 1 : counts.met / scored;
  const target = policy.kpi.target;
  const metTarget = timeliness >= target;
  const deductionCny = metTarget
    ? 0
    : Math.round(policy.kpi.contractTotalCny * policy.kpi.deductionRate * 100) / 100;
  const total = counts.met + counts.breached + counts.exempted + counts.planned + counts.pending;
  return { period, at: now, total, ...counts, timeliness, target, metTarget, deductionCny, breaches };
}

export function kpiFor(period: Period, faults: Fault[], policy: Policy, now: number): KpiReport {
  return kpiFromTallies(period, [kpiTally(period, faults, policy, now)], policy, now);
}

/** The report as printed by `watchfloor replay` and served by the API (times in the site zone). */
export function kpiOut(r: KpiReport, timeZone: string): KpiReportOut {
  return {
    period: r.period.label,
    total: r.total,
    met: r.met,
    breached: r.breached,
    exempted: r.exempted,
    planned: r.planned,
    pending: r.pending,
    timeliness: r.timeliness,
    target: r.target,
    met_target: r.metTarget,
    deduction_cny: r.deductionCny,
    breaches: r.breaches.map((b) => ({
      fault: b.faultId,
      class: b.class,
      deadline: b.deadline,
      due: formatInstant(b.due, timeZone),
      missed_by_seconds: b.missedBySeconds,
    })),
  };
}
