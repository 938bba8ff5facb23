/** A fault as JSON for people: times as ISO 8601 in the site time zone, names in snake_case. */
import { evaluate } from "./deadlines.ts";
import type { Policy } from "./policy.ts";
import { formatInstant } from "./time-format.ts";
import type { Fault, FaultClass } from "./types.ts";

export interface FaultOut {
  id: string;
  device: string;
  condition: string;
  labels: Record<string, string>;
  title: string;
  class: FaultClass;
  class_source: string;
  source: "auto" | "manual";
  status: string;
  sla: string;
  opened_at: string;
  first_observed_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  closed_at: string | null;
  reopen_count: number;
  deadlines: Array<{
    kind: string;
    limit_seconds: number;
    due: string;
    status: string;
    met_at?: string;
    done_at?: string;
    missed_by_seconds?: number;
    seconds_left?: number;
  }>;
  children: string[];
  unfolded_from?: string;
  window?: string;
  planned_window?: string;
  exemption?: Record<string, unknown>;
  class_history: Array<{ at: string; from: FaultClass; to: FaultClass; by: string; reason: string }>;
  comments: number;
}

export function faultOut(f: Fault, now: number, policy: Policy): FaultOut {
  const tz = policy.timezone;
  const iso = (t: number | undefined) => (t === undefined ? null : formatInstant(t, tz));
  const ev = evaluate(f, now, policy);
  const ex = f.exemption;
  return {
    id: f.id,
    device: f.device,
    condition: f.condition,
    labels: f.labels,
    title: f.title,
    class: f.class,
    class_source: f.classSource,
    source: f.source,
    status: f.status,
    sla: ev.overall,
    opened_at: formatInstant(f.openedAt, tz),
    first_observed_at: formatInstant(f.firstObservedAt, tz),
    acknowledged_at: iso(f.acknowledgedAt),
    acknowledged_by: f.acknowledgedBy ?? null,
    resolved_at: iso(f.resolvedAt),
    resolved_by: f.resolvedBy ?? null,
    closed_at: iso(f.closedAt),
    reopen_count: f.reopenCount,
    deadlines: ev.deadlines.map((d) => ({
      kind: d.kind,
      limit_seconds: d.limitSeconds,
      due: formatInstant(d.due, tz),
      status: d.status,
      ...(d.metAt !== undefined ? { met_at: formatInstant(d.metAt, tz) } : {}),
      ...(d.metAt === undefined && d.doneAt !== undefined ? { done_at: formatInstant(d.doneAt, tz) } : {}),
      ...(d.missedBySeconds !== undefined ? { missed_by_seconds: d.missedBySeconds } : {}),
      ...(d.secondsLeft !== undefined ? { seconds_left: d.secondsLeft } : {}),
    })),
    children: f.children,
    ...(f.fold?.unfoldedAt !== undefined ? { unfolded_from: f.fold.directParentId } : {}),
    ...(f.windowId !== undefined ? { window: f.windowId } : {}),
    ...(f.plannedWindowId !== undefined ? { planned_window: f.plannedWindowId } : {}),
    ...(ex
      ? {
          exemption: {
            status: ex.status,
            reason: ex.reason,
            evidence: ex.evidence ?? null,
            requested_by: ex.requestedBy,
            requested_at: formatInstant(ex.requestedAt, tz),
            decided_by: ex.decidedBy ?? null,
            decided_at: iso(ex.decidedAt),
          },
        }
      : {}),
    class_history: f.classHistory.map((c) => ({
      at: formatInstant(c.at, tz),
      from: c.from,
      to: c.to,
      by: c.by,
      reason: c.reason,
    })),
    comments: f.comments.length,
  };
}
