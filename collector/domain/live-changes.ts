/** What one call of the incremental engine changed, in the shape a store writes as rows. */
import type { Anchor } from "./live-log.ts";
import type {
  ActionRecord,
  ConditionRecord,
  DomainError,
  AuditDraft,
  Fault,
  FaultClass,
  MaintenanceWindow,
  ManualOpen,
  Notice,
} from "./types.ts";

/** A key whose log the archive cut: later events at or before the horizon are too late; its class hint stays. */
export interface KeyCut {
  key: string;
  device: string;
  condition: string;
  labels: Record<string, string>;
  horizon: number;
  classHint?: FaultClass;
}

/** What one call changed, for a store that writes rows. */
export interface EngineChanges {
  now: number;
  /** New or changed fault records. */
  faults: Fault[];
  /** Faults merged away (late events joined them to another). */
  dropped: string[];
  archived: string[];
  events: Array<{ key: string; device: string; condition: string; labels: Record<string, string>; record: ConditionRecord }>;
  actions: Array<{ homeKey: string; record: ActionRecord }>;
  manual: ManualOpen[];
  windows: MaintenanceWindow[];
  anchors: Array<[string, Anchor | undefined]>;
  aliases: Array<[string, string | undefined]>;
  cuts: KeyCut[];
  /** Condition events that left the log with archived faults. */
  archivedEvents: string[];
  foldHorizon?: number;
  /** Actions and manual opens of archived faults, no longer needed. */
  removedActions: number[];
  removedManual: string[];
  /** The whole state was replaced (a dependency cycle in the inventory runs the reference engine). */
  full?: boolean;
}

export type LiveResult =
  | { ok: true; audit: AuditDraft[]; notices: Notice[]; changes: EngineChanges }
  | { ok: false; error: DomainError };

export function noChanges(now: number): EngineChanges {
  return {
    now,
    faults: [],
    dropped: [],
    archived: [],
    events: [],
    actions: [],
    manual: [],
    windows: [],
    anchors: [],
    aliases: [],
    cuts: [],
    archivedEvents: [],
    removedActions: [],
    removedManual: [],
  };
}

/**
 * Folds `next` into `into` as if both calls' changes were one (a store writes a batch once): the
 * last record of a fault wins, appended rows keep their order.
 */
export function mergeChanges(into: EngineChanges, next: EngineChanges): EngineChanges {
  const faults = new Map(into.faults.map((f) => [f.id, f]));
  for (const id of next.dropped) faults.delete(id);
  for (const f of next.faults) faults.set(f.id, f);
  const anchors = new Map([...into.anchors, ...next.anchors]);
  const aliases = new Map([...into.aliases, ...next.aliases]);
  const cuts = new Map([...into.cuts, ...next.cuts].map((c) => [c.key, c]));
  return {
    now: next.now,
    faults: [...faults.values()],
    dropped: [...into.dropped, ...next.dropped],
    archived: [...into.archived, ...next.archived],
    events: [...into.events, ...next.events],
    actions: [...into.actions, ...next.actions],
    manual: [...into.manual, ...next.manual],
    windows: [...into.windows, ...next.windows],
    anchors: [...anchors],
    aliases: [...aliases],
    cuts: [...cuts.values()],
    archivedEvents: [...into.archivedEvents, ...next.archivedEvents],
    foldHorizon: next.foldHorizon ?? into.foldHorizon,
    removedActions: [...into.removedActions, ...next.removedActions],
    removedManual: [...into.removedManual, ...next.removedManual],
    ...(into.full || next.full ? { full: true } : {}),
  };
}

/** Deep equality of JSON values (what a fault's row would hold), without serialising them. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

