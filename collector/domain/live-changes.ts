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

/** Positions in a changes record's keyed lists (last record wins, first position kept), built on first merge. */
interface Positions {
  faults: Map<string, number>;
  anchors: Map<string, number>;
  aliases: Map<string, number>;
  cuts: Map<string, number>;
}
const positions = new WeakMap<EngineChanges, Positions>();

function positionsOf(c: EngineChanges): Positions {
  let p = positions.get(c);
  if (!p) {
    p = {
      faults: indexBy(c.faults, (f) => f.id),
      anchors: indexBy(c.anchors, (a) => a[0]),
      aliases: indexBy(c.aliases, (a) => a[0]),
      cuts: indexBy(c.cuts, (k) => k.key),
    };
    positions.set(c, p);
  }
  return p;
}

function indexBy<T>(list: T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const k = key(list[i]!);
    const at = out.get(k);
    // A repeated key (a record built by hand): keep the first position, the last value.
    if (at === undefined) out.set(k, i);
    else list[at] = list[i]!;
  }
  if (out.size !== list.length) list.length = out.size;
  return out;
}

/** Puts each record at its key's first position (replacing the value there), or at the end. */
function upsert<T>(list: T[], at: Map<string, number>, records: T[], key: (t: T) => string): void {
  for (const r of records) {
    const i = at.get(key(r));
    if (i === undefined) {
      at.set(key(r), list.length);
      list.push(r);
    } else list[i] = r;
  }
}

/**
 * Folds `next` into `into` as if both calls' changes were one (a store writes a batch once): the
 * last record of a fault wins, appended rows keep their order. Updates `into` in place and returns
 * it (callers accumulate: `changes = mergeChanges(changes, next)`), so folding a batch of n calls
 * costs O(n), not O(n²) copies.
 */
export function mergeChanges(into: EngineChanges, next: EngineChanges): EngineChanges {
  const p = positionsOf(into);
  if (next.dropped.length > 0) {
    const dropped = new Set(next.dropped);
    if (into.faults.some((f) => dropped.has(f.id))) {
      into.faults = into.faults.filter((f) => !dropped.has(f.id));
      p.faults = indexBy(into.faults, (f) => f.id);
    }
  }
  upsert(into.faults, p.faults, next.faults, (f) => f.id);
  upsert(into.anchors, p.anchors, next.anchors, (a) => a[0]);
  upsert(into.aliases, p.aliases, next.aliases, (a) => a[0]);
  upsert(into.cuts, p.cuts, next.cuts, (k) => k.key);
  into.now = next.now;
  append(into.dropped, next.dropped);
  append(into.archived, next.archived);
  append(into.events, next.events);
  append(into.actions, next.actions);
  append(into.manual, next.manual);
  append(into.windows, next.windows);
  append(into.archivedEvents, next.archivedEvents);
  append(into.removedActions, next.removedActions);
  append(into.removedManual, next.removedManual);
  if (next.foldHorizon !== undefined) into.foldHorizon = next.foldHorizon;
  if (next.full) into.full = true;
  return into;
}

function append<T>(list: T[], more: readonly T[]): void {
  for (const x of more) list.push(x);
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
  // Members whose value is undefined are not in the JSON: count the defined ones on both sides.
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(ra)) {
    const v = ra[k];
    if (v === undefined) continue;
    defined += 1;
    if (!sameJson(v, rb[k])) return false;
  }
  for (const k of Object.keys(rb)) if (rb[k] !== undefined) defined -= 1;
  return defined === 0;
}

