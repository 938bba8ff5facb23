/**
 * The period's inspection summary for the KPI report: rounds owed in the period (by firing time,
 * Asia/Shanghai quarters), done on time, done late, overdue and still open; hazards reported in it,
 * closed, and those open now by age.
 */
import type { Period } from "../types.ts";
import { AGE_BUCKETS, type AgeBucket, type Hazard, ageBucket } from "./hazard.ts";
import { dueState, type Round } from "./round.ts";

export interface InspectionSummary {
  period: string;
  rounds: {
    scheduled: number;
    doneOnTime: number;
    doneLate: number;
    /** Past due and not finished at the time of the report. */
    overdue: number;
    /** Not yet due and not finished. */
    pending: number;
    /** doneOnTime / (scheduled − pending); null when nothing was due yet. */
    onTimeRatio: number | null;
    abnormalItems: number;
  };
  byTemplate: Record<string, { scheduled: number; doneOnTime: number; doneLate: number; overdue: number; pending: number }>;
  hazards: {
    reported: number;
    closed: number;
    /** Of those reported in the period, still open now. */
    open: number;
    /** Every hazard open now (whenever reported), by age. */
    openByAge: Record<AgeBucket, number>;
  };
}

export function inspectionSummary(period: Period, rounds: Round[], hazards: Hazard[], now: number): InspectionSummary {
  const inPeriod = rounds.filter((r) => r.firedAt >= period.start && r.firedAt < period.end);
  const byTemplate: InspectionSummary["byTemplate"] = {};
  let onTime = 0;
  let late = 0;
  let overdue = 0;
  let pending = 0;
  let abnormal = 0;
  for (const r of inPeriod) {
    const t = byTemplate[r.templateId] ?? { scheduled: 0, doneOnTime: 0, doneLate: 0, overdue: 0, pending: 0 };
    byTemplate[r.templateId] = t;
    t.scheduled++;
    abnormal += r.faults.length;
    switch (dueState(r, now)) {
      case "done_on_time":
        onTime++;
        t.doneOnTime++;
        break;
      case "done_late":
        late++;
        t.doneLate++;
        break;
      case "overdue":
        overdue++;
        t.overdue++;
        break;
      case "due":
        pending++;
        t.pending++;
        break;
    }
  }
  const decided = inPeriod.length - pending;
  const reported = hazards.filter((h) => h.reported.at >= period.start && h.reported.at < period.end);
  const openByAge = Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0])) as Record<AgeBucket, number>;
  for (const h of hazards) if (h.status !== "closed") openByAge[ageBucket(h, now)]++;
  return {
    period: period.label,
    rounds: {
      scheduled: inPeriod.length,
      doneOnTime: onTime,
      doneLate: late,
      overdue,
      pending,
      onTimeRatio: decided > 0 ? onTime / decided : null,
      abnormalItems: abnormal,
    },
    byTemplate,
    hazards: {
      reported: reported.length,
      closed: reported.filter((h) => h.status === "closed").length,
      open: reported.filter((h) => h.status !== "closed").length,
      openByAge,
    },
  };
}
