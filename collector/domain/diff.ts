/**
 * Audit drafts and notices from the difference between two derivations of the faults: every
 * state change is written down once, with the person who caused it (or "engine").
 */
import type { AuditDraft, Fault, MaintenanceWindow, Notice } from "./types.ts";

export const ENGINE_ACTOR = "engine";

export interface Out {
  audit: AuditDraft[];
  notices: Notice[];
}

const actorOf = (by: string | undefined) => (by === undefined || by === "auto" ? ENGINE_ACTOR : by);

function visible(f: Fault | undefined): boolean {
  return f !== undefined && f.status !== "folded" && f.pendingFoldUntil === undefined;
}

/** The fault a diff is about, and where its entries go. */
interface DiffTarget {
  out: Out;
  now: number;
  n: Fault;
}

// Module functions, not closures made per call: diffFault runs for every fault a command re-derives.
function log(d: DiffTarget, action: string, actor: string, detail: Record<string, unknown>): void {
  d.out.audit.push({ at: d.now, actor, action, faultId: d.n.id, detail });
}

function notify(d: DiffTarget, type: Notice["type"], at: number, extra: Partial<Notice> = {}): void {
  d.out.notices.push({
    type,
    faultId: d.n.id,
    at,
    class: d.n.class,
    ...(d.n.plannedWindowId !== undefined ? { suppressed: true } : {}),
    ...extra,
  });
}

export function diffFault(o: Fault | undefined, n: Fault, now: number, out: Out): void {
  const d: DiffTarget = { out, now, n };
  if (!o) {
    log(d, "fault.open", actorOf(n.openedBy), {
      device: n.device,
      condition: n.condition,
      labels: n.labels,
      title: n.title,
      source: n.source,
      openedAt: n.openedAt,
    });
    log(d, "fault.classify", ENGINE_ACTOR, { class: n.class, source: n.classSource });
  } else {
    if (o.openedAt !== n.openedAt && !(n.fold?.unfoldedAt !== undefined && o.status === "folded"))
      log(d, "fault.open.corrected", ENGINE_ACTOR, { from: o.openedAt, to: n.openedAt });
    for (const c of n.classHistory.slice(o.classHistory.length)) {
      log(d, "fault.reclassify", c.by, { from: c.from, to: c.to, reason: c.reason, changedAt: c.at });
      notify(d, "reclassified", c.at);
    }
    if (o.class !== n.class && n.classHistory.length === o.classHistory.length)
      log(d, "fault.classify", ENGINE_ACTOR, { from: o.class, to: n.class, source: n.classSource });
  }
  const wasFolded = o?.status === "folded";
  const isFolded = n.status === "folded";
  if (!wasFolded && isFolded) {
    log(d, "fault.fold", ENGINE_ACTOR, { parentId: n.parentId, directParentId: n.fold?.directParentId });
    notify(d, "folded", now);
  } else if (wasFolded && !isFolded) {
    log(d, "fault.unfold", ENGINE_ACTOR, { parentId: o?.parentId, openedAt: n.openedAt });
    notify(d, "unfolded", n.openedAt);
  } else if (!visible(o) && visible(n)) {
    notify(d, "opened", n.openedAt);
  }
  for (const a of n.acks.slice(o?.acks.length ?? 0)) {
    log(d, "fault.ack", a.by, { ackAt: a.at, ...(a.note !== undefined ? { note: a.note } : {}) });
    notify(d, "acknowledged", a.at);
  }
  if (o?.resolvedAt === undefined && n.resolvedAt !== undefined) {
    log(d, "fault.resolve", actorOf(n.resolvedBy), { resolvedAt: n.resolvedAt, auto: n.resolvedBy === "auto" });
    notify(d, "resolved", n.resolvedAt);
  } else if (o?.resolvedAt !== undefined && n.resolvedAt === undefined) {
    log(d, "fault.reopen", ENGINE_ACTOR, { reopenCount: n.reopenCount, reopenedAt: n.reopenedAt.at(-1) });
    notify(d, "reopened", n.reopenedAt.at(-1) ?? now);
  } else if (o?.resolvedAt !== undefined && n.resolvedAt !== o.resolvedAt) {
    log(d, "fault.resolve.corrected", ENGINE_ACTOR, { from: o.resolvedAt, to: n.resolvedAt, by: n.resolvedBy });
  }
  if (o?.closedAt === undefined && n.closedAt !== undefined)
    log(d, "fault.close", actorOf(n.closedBy), { closedAt: n.closedAt });
  for (const c of n.comments.slice(o?.comments.length ?? 0)) log(d, "fault.comment", c.by, { text: c.text });
  const ex = n.exemption;
  if (ex && (o?.exemption?.status !== ex.status || o.exemption.requestedAt !== ex.requestedAt)) {
    if (ex.status === "requested")
      log(d, "fault.exemption.request", ex.requestedBy, { reason: ex.reason, evidence: ex.evidence ?? null });
    else {
      log(d, `fault.exemption.${ex.status === "approved" ? "approve" : "reject"}`, actorOf(ex.decidedBy), {
        reason: ex.decisionReason ?? null,
        requestedBy: ex.requestedBy,
      });
      if (ex.status === "approved") notify(d, "exempted", ex.decidedAt ?? now);
    }
  }
  if (o?.plannedWindowId !== n.plannedWindowId) {
    if (n.plannedWindowId !== undefined) log(d, "fault.planned", ENGINE_ACTOR, { windowId: n.plannedWindowId });
    else if (o?.plannedWindowId !== undefined)
      log(d, "fault.unplanned", ENGINE_ACTOR, { windowId: o.plannedWindowId });
  }
  if (n.windowId !== undefined && n.plannedWindowId === undefined && o?.windowId !== n.windowId)
    log(d, "fault.window.late_notice", ENGINE_ACTOR, { windowId: n.windowId, countsInKpi: true });
  if (n.breaches.length === 0 && (o?.breaches.length ?? 0) === 0) return;
  const had = new Set((o?.breaches ?? []).map((b) => b.deadline));
  const has = new Set(n.breaches.map((b) => b.deadline));
  for (const b of n.breaches) {
    if (had.has(b.deadline)) continue;
    log(d, "fault.breach", ENGINE_ACTOR, { deadline: b.deadline, due: b.at, class: n.class });
    notify(d, "breached", b.at, { deadline: b.deadline });
  }
  for (const b of o?.breaches ?? []) {
    if (!has.has(b.deadline))
      log(d, "fault.breach.withdrawn", ENGINE_ACTOR, { deadline: b.deadline, due: b.at, class: n.class });
  }
}

/** window.create entries for the windows that are new, in id order. */
export function windowAudit(
  before: Record<string, MaintenanceWindow>,
  after: Record<string, MaintenanceWindow>,
  now: number,
  out: Out,
): void {
  for (const id of Object.keys(after).sort()) {
    if (before[id]) continue;
    const w = after[id]!;
    out.audit.push({
      at: now,
      actor: w.by,
      action: "window.create",
      windowId: id,
      detail: {
        devices: w.devices,
        zones: w.zones,
        start: w.start,
        end: w.end,
        announced: w.announced,
        reason: w.reason,
        noticeSeconds: w.noticeSeconds,
        noticeViolation: w.noticeViolation,
      },
    });
  }
}

export function diffStates(
  before: { faults: Record<string, Fault>; windows: Record<string, MaintenanceWindow> },
  after: {
    faults: Record<string, Fault>;
    windows: Record<string, MaintenanceWindow>;
    aliases: Record<string, string>;
  },
  now: number,
): Out {
  const out: Out = { audit: [], notices: [] };
  windowAudit(before.windows, after.windows, now, out);
  const order = (faults: Record<string, Fault>) =>
    Object.values(faults).sort((a, b) => a.firstObservedAt - b.firstObservedAt || (a.id < b.id ? -1 : 1));
  for (const n of order(after.faults)) diffFault(before.faults[n.id], n, now, out);
  for (const o of order(before.faults)) {
    if (after.faults[o.id]) continue;
    out.audit.push({
      at: now,
      actor: ENGINE_ACTOR,
      action: "fault.merge",
      faultId: o.id,
      detail: { into: after.aliases[o.id] ?? null },
    });
  }
  return out;
}
