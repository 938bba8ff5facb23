/**
 * People's actions applied to a derived fault record, in the order they were accepted.
 * Resolve / close of auto faults already happened on the condition timeline (episodes.ts).
 */
import type { ActionRecord, Fault } from "./types.ts";

export function applyAction(fault: Fault, a: ActionRecord): void {
  switch (a.type) {
    case "ack":
      fault.acks.push({ at: a.at, by: a.by, ...(a.note !== undefined ? { note: a.note } : {}) });
      if (fault.acknowledgedAt === undefined) {
        fault.acknowledgedAt = a.at;
        fault.acknowledgedBy = a.by;
      }
      return;
    case "resolve":
      if (fault.source === "manual" && fault.resolvedAt === undefined) {
        fault.resolvedAt = Math.max(a.at, fault.openedAt);
        fault.resolvedBy = a.by;
      }
      return;
    case "close":
      if (fault.source === "manual" && fault.resolvedAt !== undefined && fault.closedAt === undefined) {
        fault.closedAt = Math.max(a.at, fault.resolvedAt);
        fault.closedBy = a.by;
      }
      return;
    case "comment":
      fault.comments.push({ at: a.at, by: a.by, text: a.text });
      return;
    case "reclassify":
      if (a.class !== fault.class) {
        fault.classHistory.push({ at: a.at, from: fault.class, to: a.class, by: a.by, reason: a.reason });
        fault.class = a.class;
        fault.classSource = "reclassified";
      }
      return;
    case "exempt":
      fault.exemption = {
        status: "requested",
        reason: a.reason,
        ...(a.evidence !== undefined ? { evidence: a.evidence } : {}),
        requestedBy: a.by,
        requestedAt: a.at,
      };
      return;
    case "approve":
    case "reject":
      if (fault.exemption?.status === "requested") {
        fault.exemption = {
          ...fault.exemption,
          status: a.type === "approve" ? "approved" : "rejected",
          decidedBy: a.by,
          decidedAt: a.at,
          ...(a.reason !== undefined ? { decisionReason: a.reason } : {}),
        };
      }
      return;
  }
}

/** Status from the record: folded, closed, resolved, acknowledged (since the last reopen) or open. */
export function deriveStatus(f: Fault): Fault["status"] {
  if (f.fold && f.fold.unfoldedAt === undefined) return "folded";
  if (f.closedAt !== undefined) return "closed";
  if (f.resolvedAt !== undefined) return "resolved";
  const lastAck = f.acks.length > 0 ? Math.max(...f.acks.map((a) => a.at)) : undefined;
  const lastReopen = f.reopenedAt.length > 0 ? Math.max(...f.reopenedAt) : Number.NEGATIVE_INFINITY;
  return lastAck !== undefined && lastAck >= lastReopen ? "acknowledged" : "open";
}
