import type { FastifyReply } from "fastify";
import { type DomainError, evaluate, type Fault, formatInstant, type MaintenanceWindow, type Policy } from "../domain/index.ts";

const CLASS_ZH = { major: "重大", severe: "严重", general: "一般" } as const;

/** Times as ISO 8601 in the site's zone; class names in Chinese beside the English. */
export function presentFault(f: Fault, now: number, policy: Policy) {
  const tz = policy.timezone;
  const iso = (t: number | undefined) => (t === undefined ? undefined : formatInstant(t, tz));
  const ev = evaluate(f, now, policy);
  return {
    id: f.id,
    device: f.device,
    condition: f.condition,
    labels: f.labels,
    title: f.title,
    class: f.class,
    class_zh: CLASS_ZH[f.class],
    class_source: f.classSource,
    source: f.source,
    status: f.status,
    opened_at: iso(f.openedAt),
    acknowledged_at: iso(f.acknowledgedAt),
    acknowledged_by: f.acknowledgedBy,
    resolved_at: iso(f.resolvedAt),
    resolved_by: f.resolvedBy,
    closed_at: iso(f.closedAt),
    reopen_count: f.reopenCount,
    parent: f.parentId,
    children: f.children,
    planned_window: f.plannedWindowId,
    exemption: f.exemption && {
      ...f.exemption,
      requestedAt: iso(f.exemption.requestedAt),
      decidedAt: iso(f.exemption.decidedAt),
    },
    sla: ev.overall,
    deadlines: ev.deadlines.map((d) => ({
      kind: d.kind,
      limit_seconds: d.limitSeconds,
      due: iso(d.due),
      status: d.status,
      met_at: iso(d.metAt),
      seconds_left: d.secondsLeft === undefined ? undefined : Math.floor(d.secondsLeft),
      missed_by_seconds: d.missedBySeconds,
    })),
    class_history: f.classHistory.map((c) => ({ ...c, at: iso(c.at) })),
    comments: f.comments.map((c) => ({ ...c, at: iso(c.at) })),
  };
}

export function presentWindow(w: MaintenanceWindow, policy: Policy) {
  const iso = (t: number) => formatInstant(t, policy.timezone);
  return {
    ...w,
    start: iso(w.start),
    end: iso(w.end),
    announced: iso(w.announced),
    recordedAt: iso(w.recordedAt),
  };
}

/** Domain errors are values with stable codes; each code has one HTTP status. */
export function sendDomainError(reply: FastifyReply, error: DomainError): FastifyReply {
  const status = error.code.endsWith("NOT_FOUND") ? 404 : error.code.startsWith("INVALID") ? 400 : 409;
  return reply.code(status).send({ error: error.code, message: error.message });
}
