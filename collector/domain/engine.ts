/**
 * The fault engine: apply(state, command, ctx) -> new state + audit drafts + notices.
 * The state keeps a log of what happened (condition events sorted by device time, manual opens,
 * people's actions, windows) and the faults derived from it as of ctx.now; every call re-derives
 * and writes down the difference. Clock and ids come from ctx; nothing here reads the time.
 */
import { archiveSettled, isArchived, tooLate } from "./archive.ts";
import { breachInstant, deadlinesFor, doneAt } from "./deadlines.ts";
import { diffStates } from "./diff.ts";
import { compareEvents } from "./episodes.ts";
import { faultKey } from "./fault-key.ts";
import { foldingDueAt } from "./folding.ts";
import { resolveAlias } from "./identity.ts";
import { own } from "./own.ts";
import type { Policy } from "./policy.ts";
import { project } from "./project.ts";
import type {
  ActionRecord,
  ApplyResult,
  ArchiveState,
  AuditDraft,
  Command,
  EngineContext,
  EngineLog,
  EngineState,
  Fault,
  HumanCommand,
  MaintenanceWindow,
  Notice,
} from "./types.ts";
import { domainError } from "./types.ts";
import { checkAction, checkShape, resolveFaultRef } from "./validate.ts";
import { createWindow } from "./windows.ts";

export function emptyState(): EngineState {
  return {
    faults: {},
    windows: {},
    log: { keys: {}, eventKeys: {}, manual: [], actions: [], anchors: {}, aliases: {} },
    now: 0,
    seq: 0,
  };
}

function derive(
  prev: EngineState,
  log: EngineLog,
  windows: Record<string, MaintenanceWindow>,
  seq: number,
  ctx: EngineContext,
): { state: EngineState; audit: AuditDraft[]; notices: Notice[] } {
  const p = project(log, windows, ctx);
  const archive: ArchiveState | undefined = prev.archive;
  // Archived faults are frozen: carried over as they are, never re-derived nor diffed.
  const faults: Record<string, Fault> = {};
  const prevLive: Record<string, Fault> = {};
  if (archive) {
    for (const [id, f] of Object.entries(prev.faults))
      if (archive.faults[id] !== undefined) faults[id] = f;
      else prevLive[id] = f;
  }
  Object.assign(faults, p.faults);
  const state: EngineState = {
    faults,
    windows,
    log: { ...log, anchors: p.anchors, aliases: p.aliases },
    now: ctx.now,
    seq,
    ...(archive ? { archive } : {}),
  };
  const before = { faults: archive ? prevLive : prev.faults, windows: prev.windows };
  const { audit, notices } = diffStates(before, { faults: p.faults, windows, aliases: p.aliases }, ctx.now);
  return { state, audit, notices };
}

/**
 * Brings the derived faults up to ctx.now: records breaches, unfolds, etc. (the collector's timer),
 * then archives the faults that can no longer change (archive.ts).
 */
export function advanceTo(state: EngineState, ctx: EngineContext) {
  const result = derive(state, state.log, state.windows, state.seq, ctx);
  const archived = archiveSettled(result.state, ctx);
  if (!archived) return result;
  return { state: archived.state, audit: [...result.audit, ...archived.audit], notices: result.notices };
}

function withCondition(log: EngineLog, cmd: Extract<Command, { type: "condition" }>): EngineLog {
  if (own(log.eventKeys, cmd.eventId) !== undefined) return log; // redelivery: nothing changes
  const labels = cmd.labels ?? {};
  const key = faultKey(cmd.device, cmd.condition, labels);
  const prev = own(log.keys, key) ?? {
    device: cmd.device,
    condition: cmd.condition,
    labels: { ...labels },
    events: [],
  };
  const record = {
    eventId: cmd.eventId,
    at: cmd.at,
    state: cmd.state,
    ...(cmd.classHint !== undefined ? { classHint: cmd.classHint } : {}),
    ...(cmd.title !== undefined ? { title: cmd.title } : {}),
  };
  const events = [...prev.events, record].sort(compareEvents);
  return {
    ...log,
    keys: { ...log.keys, [key]: { ...prev, events } },
    eventKeys: { ...log.eventKeys, [cmd.eventId]: key },
  };
}

export function actionRecord(cmd: HumanCommand, faultId: string, seq: number): ActionRecord {
  const base = { seq, at: cmd.at, faultId, by: cmd.by };
  switch (cmd.type) {
    case "ack":
    case "resolve":
      return { ...base, type: cmd.type, ...(cmd.note !== undefined ? { note: cmd.note } : {}) };
    case "close":
      return { ...base, type: "close" };
    case "comment":
      return { ...base, type: "comment", text: cmd.text };
    case "reclassify":
      return { ...base, type: "reclassify", class: cmd.class, reason: cmd.reason };
    case "exempt":
      return {
        ...base,
        type: "exempt",
        reason: cmd.reason,
        ...(cmd.evidence !== undefined ? { evidence: cmd.evidence } : {}),
      };
    case "approve":
    case "reject":
      return { ...base, type: cmd.type, ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}) };
  }
}

export function apply(state: EngineState, cmd: Command, ctx: EngineContext): ApplyResult {
  const shapeError = checkShape(cmd);
  if (shapeError) return { ok: false, error: shapeError };
  // People's actions are checked against the faults as they stand now; the rest needs no check.
  const needsCheck = !["tick", "condition", "open", "window"].includes(cmd.type);
  const current = needsCheck ? derive(state, state.log, state.windows, state.seq, ctx).state : state;
  const log = current.log;
  let nextLog = log;
  let windows = current.windows;
  let seq = current.seq;
  switch (cmd.type) {
    case "tick":
      break;
    case "condition":
      if (!tooLate(current.archive, cmd, ctx.policy)) nextLog = withCondition(log, cmd);
      break;
    case "open": {
      if (own(current.faults, cmd.faultId) || own(log.aliases, cmd.faultId) !== undefined)
        return { ok: false, error: domainError("FAULT_EXISTS", `fault ${cmd.faultId} already exists`) };
      const { faultId, device, title, by, at } = cmd;
      nextLog = { ...log, manual: [...log.manual, { at, faultId, device, class: cmd.class, title, by }] };
      break;
    }
    case "window":
      if (own(windows, cmd.windowId))
        return { ok: false, error: domainError("WINDOW_EXISTS", `window ${cmd.windowId} already exists`) };
      windows = { ...windows, [cmd.windowId]: createWindow(cmd, ctx.policy) };
      break;
    default: {
      const target = resolveFaultRef(current.faults, log.aliases, cmd.fault);
      if (!("id" in target)) return { ok: false, error: target };
      if (isArchived(current, target.id))
        return {
          ok: false,
          error: domainError("FAULT_ARCHIVED", `fault ${target.id} is archived and can no longer change`),
        };
      const refused = checkAction(cmd, target, ctx.policy);
      if (refused) return { ok: false, error: refused };
      seq += 1;
      const record = actionRecord(cmd, resolveAlias(log.aliases, target.id), seq);
      nextLog = { ...log, actions: [...log.actions, record] };
    }
  }
  const result = derive(state, nextLog, windows, seq, ctx);
  return { ok: true, ...result };
}

/** Earliest instant at which something will change by itself: a deadline breach or a folding decision. */
export function nextDueAt(state: EngineState, policy: Policy): number | undefined {
  let next: number | undefined;
  const consider = (t: number | undefined) => {
    if (t !== undefined && t > state.now && (next === undefined || t < next)) next = t;
  };
  for (const f of Object.values(state.faults)) {
    if (isArchived(state, f.id)) continue;
    consider(foldingDueAt(f, state.faults, policy));
    if (f.status === "folded") continue;
    for (const d of deadlinesFor(f, policy)) {
      if (doneAt(f, d.kind) !== undefined || f.breaches.some((b) => b.deadline === d.kind)) continue;
      consider(breachInstant(d, policy));
    }
  }
  return next;
}

export type { Fault };
