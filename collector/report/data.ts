/**
 * The client's KPI report for a quarter or a month: the same figures as /api/v1/kpi and
 * `watchfloor replay` (kpiFor over the same faults at the same instant), plus the evidence behind them —
 * each breached fault, the exemption ledger, the planned work with its notice, figures per month and
 * class — and the audit chain's head, which ties the document to the record it was made from.
 */
import {
  deadlinesFor,
  doneAt,
  type Exemption,
  type Fault,
  type FaultClass,
  type Inventory,
  inPeriod,
  type KpiReport,
  kpiFor,
  type MaintenanceWindow,
  type Period,
  type Policy,
  parsePeriod,
} from "../domain/index.ts";
import type { InspectionSummary } from "../domain/inspections/summary.ts";

/** Which fault a row is about, as the report names it. */
export interface ReportFaultRef {
  faultId: string;
  title: string;
  /** The engine's id and condition, so the title can be put in words when it is the placeholder. */
  deviceId: string;
  condition: string;
  /** The device's name from the site file. */
  device: string;
  class: FaultClass;
}

export interface ReportBreach extends ReportFaultRef {
  deadline: "respond" | "resolve";
  limitSeconds: number;
  due: number;
  done?: number;
  missedBySeconds: number;
}

/** An exemption as the fault holds it (who asked, who decided, evidence), with the fault it is for. */
export type ReportExemption = Exemption & ReportFaultRef;

export interface ReportWindow {
  id: string;
  scope: string[];
  start: number;
  end: number;
  announced: number;
  noticeSeconds: number;
  noticeViolation: boolean;
  reason: string;
  by: string;
}

export interface ReportTimes {
  class: FaultClass;
  deadline: "respond" | "resolve";
  limitSeconds: number;
  count: number;
  averageSeconds: number;
  maxSeconds: number;
}

export interface ReportData {
  period: Period;
  timeZone: string;
  generatedAt: number;
  kpi: KpiReport;
  breaches: ReportBreach[];
  exemptions: ReportExemption[];
  windows: ReportWindow[];
  /** Each month of the period: its own KPI (a quarter has three). */
  months: Array<{ label: string; kpi: KpiReport }>;
  faultsPerClass: Record<FaultClass, number>;
  times: ReportTimes[];
  /** The audit chain's head when the report was made (absent before the first entry). */
  head?: { seq: number; hash: string };
  /** The period's inspection rounds and hazards (absent when the collector runs no inspections). */
  inspections?: InspectionSummary;
}

export interface ReportInput {
  period: Period;
  faults: Fault[];
  windows: MaintenanceWindow[];
  policy: Policy;
  inventory: Inventory;
  now: number;
  head?: { seq: number; hash: string };
  inspections?: InspectionSummary;
}

const CLASSES: FaultClass[] = ["major", "severe", "general"];

function deviceName(inventory: Inventory, id: string): string {
  return inventory.devices[id]?.name ?? id;
}

/** The months [start, end) of a period, as "YYYY-MM" in the site's zone. */
function monthsOf(period: Period, timeZone: string): Period[] {
  const out: Period[] = [];
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" });
  let at = period.start;
  while (at < period.end && out.length < 12) {
    const parts = Object.fromEntries(fmt.formatToParts(at).map((p) => [p.type, p.value]));
    const month = parsePeriod(`${parts.year}-${parts.month}`, timeZone);
    if (!("start" in month)) throw new Error(`month of ${at} did not parse: ${month.message}`);
    out.push(month);
    at = month.end;
  }
  return out;
}

function refOf(f: Fault, inventory: Inventory): ReportFaultRef {
  return {
    faultId: f.id,
    title: f.title,
    deviceId: f.device,
    condition: f.condition,
    device: deviceName(inventory, f.device),
    class: f.class,
  };
}

export function buildReport(input: ReportInput): ReportData {
  const { period, faults, policy, inventory, now } = input;
  const tz = policy.timezone;
  const kpi = kpiFor(period, faults, policy, now);
  const byId = new Map(faults.map((f) => [f.id, f]));
  const breaches = kpi.breaches.map((b): ReportBreach => {
    const f = byId.get(b.faultId)!;
    const limit = deadlinesFor(f, policy).find((d) => d.kind === b.deadline)!.limitSeconds;
    return {
      ...refOf(f, inventory),
      deadline: b.deadline,
      limitSeconds: limit,
      due: b.due,
      done: doneAt(f, b.deadline),
      missedBySeconds: b.missedBySeconds,
    };
  });
  const inScope = faults
    .filter((f) => f.status !== "folded" && inPeriod(f.openedAt, period))
    .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  const exemptions = inScope
    .filter((f) => f.exemption)
    .map(
      (f): ReportExemption => ({
        ...f.exemption!,
        ...refOf(f, inventory),
      }),
    );
  const windows = input.windows
    .filter((w) => w.start < period.end && w.end > period.start)
    .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1))
    .map(
      (w): ReportWindow => ({
        id: w.id,
        scope: [...w.devices.map((d) => deviceName(inventory, d)), ...w.zones],
        start: w.start,
        end: w.end,
        announced: w.announced,
        noticeSeconds: w.noticeSeconds,
        noticeViolation: w.noticeViolation,
        reason: w.reason,
        by: w.by,
      }),
    );
  const faultsPerClass = { major: 0, severe: 0, general: 0 } as Record<FaultClass, number>;
  for (const f of inScope) faultsPerClass[f.class] += 1;
  const times: ReportTimes[] = [];
  for (const cls of CLASSES)
    for (const kind of ["respond", "resolve"] as const) {
      const limit = policy.deadlines[cls][kind];
      if (limit === null) continue;
      const took = inScope
        .filter((f) => f.class === cls)
        .flatMap((f) => {
          const done = doneAt(f, kind);
          return done === undefined ? [] : [(done - f.openedAt) / 1000];
        });
      times.push({
        class: cls,
        deadline: kind,
        limitSeconds: limit,
        count: took.length,
        averageSeconds: took.length ? took.reduce((a, b) => a + b, 0) / took.length : 0,
        maxSeconds: took.length ? Math.max(...took) : 0,
      });
    }
  const months = period.label.includes("Q")
    ? monthsOf(period, tz).map((m) => ({ label: m.label, kpi: kpiFor(m, faults, policy, now) }))
    : [{ label: period.label, kpi }];
  return {
    period,
    timeZone: tz,
    generatedAt: now,
    kpi,
    breaches,
    exemptions,
    windows,
    months,
    faultsPerClass,
    times,
    ...(input.head ? { head: input.head } : {}),
    ...(input.inspections ? { inspections: input.inspections } : {}),
  };
}
