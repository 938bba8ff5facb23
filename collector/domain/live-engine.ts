/**
 * The fault engine, incremental: the same rules and results as engine.ts's apply / advanceTo (the
 * reference, which re-derives every fault on every command), but a command re-derives only the
 * keys it touches (live-derive.ts) and the faults whose deadline or folding decision fell due.
 * The log and the faults are indexed maps held here; each call returns what changed, so a store
 * writes rows, never the whole state. Pure: clock and ids come from ctx.
 */
import { archiveLive } from "./live-archive.ts";
import { breachInstant, deadlinesFor, doneAt } from "./deadlines.ts";
import { diffFault, ENGINE_ACTOR, type Out, windowAudit } from "./diff.ts";
import { actionRecord, advanceTo, apply, emptyState } from "./engine.ts";
import { FoldTopology } from "./fold-topology.ts";
import { type DeriveEnv, type Derivation, deriveKeys } from "./live-derive.ts";
import { LiveLog } from "./live-log.ts";
import { type EngineChanges, type LiveResult, noChanges, sameJson } from "./live-changes.ts";
import { InstantQueue } from "./min-heap.ts";
import { own } from "./own.ts";
import type { Policy } from "./policy.ts";
import { RETRY_MS } from "./archive.ts";
import { faultKey } from "./fault-key.ts";
import type {
  AuditDraft,
  Command,
  ConditionRecord,
  EngineContext,
  EngineState,
  Fault,
  FaultRef,
  MaintenanceWindow,
  ManualOpen,
  Notice,
} from "./types.ts";
import { domainError } from "./types.ts";
import { checkAction, checkShape, resolveFaultRef } from "./validate.ts";
import { createWindow } from "./windows.ts";

/**
 * What a command may refer to among archived faults, for an owner that keeps them elsewhere (the
 * collector keeps them in its store, see releaseArchived): the fault ids it names, or the device and
 * condition it names. Conditions, ticks and windows never refer to an archived fault.
 */
export function archivedRefs(cmd: Command): { ids: string[] } | { device: string; condition: string } {
  if (cmd.type === "open") return { ids: [cmd.faultId] };
  if (!("fault" in cmd)) return { ids: [] };
  const ref = cmd.fault;
  if (typeof ref === "string") return { ids: [ref] };
  if (ref && typeof ref.device === "string" && typeof ref.condition === "string")
    return { device: ref.device, condition: ref.condition };
  return { ids: [] };
}

/** Archived faults an owner read back for one command (archivedRefs), by id. */
export type ArchivedFaults = ReadonlyMap<string, Fault>;

const none: ArchivedFaults = new Map();

const byObserved = (a: Fault, b: Fault) => a.firstObservedAt - b.firstObservedAt || (a.id < b.id ? -1 : 1);
const refKey = (device: string, condition: string) => `${device}\u0000${condition}`;

export class LiveEngine {
  log = new LiveLog();
  /** Every fault, archived ones included (frozen) until their owner releases them (releaseArchived). */
  readonly all = new Map<string, Fault>();
  readonly archived = new Map<string, number>();
  readonly keyFaults = new Map<string, Set<string>>();
  /** Fault id -> live faults whose fold links point at it. */
  readonly links = new Map<string, Set<string>>();
  private byRef = new Map<string, Set<string>>();
  private due = new InstantQueue();
  readonly archiveDue = new InstantQueue();
  private dueFor: Policy | undefined;
  windows: Record<string, MaintenanceWindow> = {};
  archivedEventIds: Set<string> | undefined;
  keyHorizon = new Map<string, number>();
  foldHorizon = 0;
  /** Something was archived once (the reference's state.archive exists). */
  hasArchive = false;
  now = 0;
  seq = 0;
  private topo: FoldTopology | undefined;

  /**
   * opts.rememberArchivedEventIds: keep archived event ids to ignore their redelivery (the reference
   * does); a collector whose store dedupes event ids by a unique index turns it off.
   */
  constructor(state: EngineState = emptyState(), opts: { rememberArchivedEventIds?: boolean } = {}) {
    if (opts.rememberArchivedEventIds ?? true) this.archivedEventIds = new Set();
    this.load(state);
  }

  private load(state: EngineState): void {
    this.log = LiveLog.from(state.log, (id) => state.faults[id]?.key ?? state.log.anchors[id]?.key);
    for (const m of [this.all, this.archived, this.keyFaults, this.links, this.byRef, this.keyHorizon])
      m.clear();
    this.due = new InstantQueue();
    this.dueFor = undefined;
    const archive = state.archive;
    for (const [id, at] of Object.entries(archive?.faults ?? {})) this.archived.set(id, at);
    if (this.archivedEventIds) this.archivedEventIds = new Set(Object.keys(archive?.eventIds ?? {}));
    for (const [key, t] of Object.entries(archive?.keyHorizon ?? {})) this.keyHorizon.set(key, t);
    this.foldHorizon = archive?.foldHorizon ?? 0;
    this.hasArchive = archive !== undefined;
    this.windows = { ...state.windows };
    this.now = state.now;
    this.seq = state.seq;
    for (const f of Object.values(state.faults)) {
      this.all.set(f.id, f);
      this.refs(f.device, f.condition).add(f.id);
      if (!this.archived.has(f.id)) this.index(f);
    }
  }

  private refs(device: string, condition: string): Set<string> {
    const k = refKey(device, condition);
    let set = this.byRef.get(k);
    if (!set) {
      set = new Set();
      this.byRef.set(k, set);
    }
    return set;
  }

  private index(f: Fault): void {
    add(this.keyFaults, f.key, f.id);
    for (const l of foldLinks(f)) add(this.links, l, f.id);
  }

  unindex(f: Fault): void {
    this.unlink(f);
    this.due.set(f.id, undefined);
    this.archiveDue.set(f.id, undefined);
  }

  /** unindex without the timers: for a record about to be replaced and scheduled again. */
  private unlink(f: Fault): void {
    remove(this.keyFaults, f.key, f.id);
    for (const l of foldLinks(f)) remove(this.links, l, f.id);
  }

  isLive(id: string): boolean {
    return this.all.has(id) && !this.archived.has(id);
  }

  topology(ctx: EngineContext): FoldTopology {
    if (this.topo?.inventory !== ctx.inventory || this.topo.policy !== ctx.policy)
      this.topo = new FoldTopology(ctx.inventory, ctx.policy);
    return this.topo;
  }

  env(ctx: EngineContext): DeriveEnv {
    return {
      log: this.log,
      current: (id) => (this.archived.has(id) ? undefined : this.all.get(id)),
      keyFaults: (key) => this.keyFaults.get(key) ?? [],
      windows: this.windows,
      topo: this.topology(ctx),
      ctx,
    };
  }

  faults(): IterableIterator<Fault> {
    return this.all.values();
  }

  fault(id: string): Fault | undefined {
    return this.all.get(id);
  }

  /** The faults not archived of one key (device + condition + labels). */
  faultsOfKey(key: string): Fault[] {
    return [...(this.keyFaults.get(key) ?? [])].map((id) => this.all.get(id)!);
  }

  /**
   * Whether apply would ignore this condition event: its id is in the log already, or it is too late to
   * change anything (at or before what was archived for its key). A read, for the edge to ask before
   * it moves an event's time.
   */
  ignores(cmd: Extract<Command, { type: "condition" }>, ctx: EngineContext): boolean {
    return this.log.eventKeys.has(cmd.eventId) || this.tooLate(cmd, this.topology(ctx));
  }

  /** The faults not archived (every open one among them), without walking the archived ones. */
  *liveFaults(): IterableIterator<Fault> {
    for (const ids of this.keyFaults.values()) for (const id of ids) yield this.all.get(id)!;
  }

  /** The instants at which a live fault changes by itself (deadline breach, folding decision), after now. */
  private changesAt(f: Fault, policy: Policy): number | undefined {
    let next: number | undefined;
    if (f.pendingFoldUntil !== undefined) next = earliestAfter(this.now, next, f.pendingFoldUntil);
    else if (f.status === "folded" && f.fold) {
      const parent = this.all.get(f.fold.directParentId);
      if (parent?.resolvedAt !== undefined)
        next = earliestAfter(this.now, next, parent.resolvedAt + policy.dependencies.foldGraceSeconds * 1000);
    }
    if (f.status !== "folded")
      for (const d of deadlinesFor(f, policy)) {
        if (doneAt(f, d.kind) !== undefined || f.breaches.some((b) => b.deadline === d.kind)) continue;
        next = earliestAfter(this.now, next, breachInstant(d, policy));
      }
    return next;
  }

  private schedule(f: Fault, policy: Policy): void {
    this.due.set(f.id, this.changesAt(f, policy));
    const after = policy.archive.afterSeconds;
    this.archiveDue.set(
      f.id,
      after === null || f.resolvedAt === undefined ? undefined : f.resolvedAt + after * 1000 + 1,
    );
  }

  private ensureDue(policy: Policy): void {
    if (this.dueFor === policy) return;
    this.dueFor = policy;
    for (const f of this.all.values()) if (!this.archived.has(f.id)) this.schedule(f, policy);
  }

  /** Keys with a fault whose deadline or folding decision is at or before now. */
  private timeDirty(now: number): Set<string> {
    const keys = new Set<string>();
    for (const id of this.due.dueBy(now)) {
      const f = this.all.get(id);
      if (f) keys.add(f.key);
    }
    return keys;
  }

  private tooLate(cmd: Extract<Command, { type: "condition" }>, topo: FoldTopology): boolean {
    if (!this.hasArchive) return false;
    if (this.archivedEventIds?.has(cmd.eventId)) return true;
    const horizon = this.keyHorizon.get(faultKey(cmd.device, cmd.condition, cmd.labels ?? {}));
    if (horizon !== undefined && cmd.at <= horizon) return true;
    return topo.foldRelevant(cmd.condition) && cmd.at <= this.foldHorizon;
  }

  /**
   * Applies a command. `archived`: the archived faults it refers to (archivedRefs) that this engine
   * no longer holds because its owner released them; they answer as the held ones would
   * (FAULT_EXISTS, FAULT_ARCHIVED, the choice of a fault by device and condition).
   */
  apply(cmd: Command, ctx: EngineContext, archived: ArchivedFaults = none): LiveResult {
    const shapeError = checkShape(cmd);
    if (shapeError) return { ok: false, error: shapeError };
    if (this.topology(ctx).cyclic) return this.byReference((s) => apply(s, cmd, ctx), ctx.now, archived);
    this.ensureDue(ctx.policy);
    const dirty = this.timeDirty(ctx.now);
    const changes = noChanges(ctx.now);
    const windowsBefore = this.windows;
    switch (cmd.type) {
      case "tick":
        break;
      case "condition": {
        if (this.tooLate(cmd, this.topology(ctx)) || this.log.eventKeys.has(cmd.eventId)) break;
        const labels = cmd.labels ?? {};
        const record: ConditionRecord = {
          eventId: cmd.eventId,
          at: cmd.at,
          state: cmd.state,
          ...(cmd.classHint !== undefined ? { classHint: cmd.classHint } : {}),
          ...(cmd.title !== undefined ? { title: cmd.title } : {}),
        };
        const key = this.log.addEvent(cmd.device, cmd.condition, labels, record);
        changes.events.push({ key, device: cmd.device, condition: cmd.condition, labels: { ...labels }, record });
        dirty.add(key);
        break;
      }
      case "open": {
        if (this.all.has(cmd.faultId) || archived.has(cmd.faultId) || this.log.aliases.has(cmd.faultId))
          return { ok: false, error: domainError("FAULT_EXISTS", `fault ${cmd.faultId} already exists`) };
        const { faultId, device, title, by, at } = cmd;
        const m: ManualOpen = { at, faultId, device, class: cmd.class, title, by };
        dirty.add(this.log.addManual(m));
        changes.manual.push(m);
        break;
      }
      case "window": {
        if (own(this.windows, cmd.windowId))
          return { ok: false, error: domainError("WINDOW_EXISTS", `window ${cmd.windowId} already exists`) };
        const w = createWindow(cmd, ctx.policy);
        this.windows = { ...this.windows, [w.id]: w };
        changes.windows.push(w);
        const devices = new Set(w.devices);
        for (const d of Object.values(ctx.inventory.devices))
          if (d.zone !== undefined && w.zones.includes(d.zone)) devices.add(d.id);
        for (const d of devices) for (const key of this.log.keysByDevice.get(d) ?? []) dirty.add(key);
        break;
      }
      default: {
        const env = this.env(ctx);
        const view = dirty.size > 0 ? deriveKeys(dirty, env) : undefined;
        const look = (id: string) =>
          view?.faults.get(id) ?? (view?.before.has(id) ? undefined : (this.all.get(id) ?? archived.get(id)));
        const target = this.resolveRef(cmd.fault, look, archived);
        if (!("id" in target)) return { ok: false, error: target };
        if (this.archived.has(target.id) || archived.has(target.id))
          return {
            ok: false,
            error: domainError("FAULT_ARCHIVED", `fault ${target.id} is archived and can no longer change`),
          };
        const refused = checkAction(cmd, target, ctx.policy);
        if (refused) return { ok: false, error: refused };
        this.seq += 1;
        const record = actionRecord(cmd, this.log.resolve(target.id), this.seq);
        this.log.addAction(target.key, record);
        changes.actions.push({ homeKey: target.key, record });
        dirty.add(target.key);
      }
    }
    const out: Out = { audit: [], notices: [] };
    windowAudit(windowsBefore, this.windows, ctx.now, out);
    this.commit(deriveKeys(dirty, this.env(ctx)), ctx, out, changes);
    return { ok: true, ...out, changes };
  }

  private resolveRef(ref: FaultRef, look: (id: string) => Fault | undefined, archived: ArchivedFaults) {
    const faults: Record<string, Fault> = {};
    const aliases: Record<string, string> = {};
    if (typeof ref === "string") {
      const id = this.log.resolve(ref);
      const f = look(id);
      if (f) faults[id] = f;
      if (id !== ref) aliases[ref] = id;
    } else if (ref && typeof ref.device === "string" && typeof ref.condition === "string") {
      for (const id of this.byRef.get(refKey(ref.device, ref.condition)) ?? []) {
        const f = look(id);
        if (f) faults[id] = f;
      }
      for (const f of archived.values())
        if (f.device === ref.device && f.condition === ref.condition && !own(faults, f.id)) faults[f.id] = f;
    }
    return resolveFaultRef(faults, aliases, ref);
  }

  /** Records a derivation: audit and notices in the reference's order, indexes, timers, changes. */
  private commit(d: Derivation, ctx: EngineContext, out: Out, changes: EngineChanges): void {
    const after = [...d.faults.values()].sort(byObserved);
    // A record equal to the one before has nothing to audit or write (a key's other episodes, re-derived
    // with the one an event touched): compared once, here.
    const changed = after.map((n) => {
      const o = d.before.get(n.id);
      return o === undefined || !sameJson(o, n);
    });
    after.forEach((n, i) => {
      if (changed[i]) diffFault(d.before.get(n.id), n, ctx.now, out);
    });
    const gone = [...d.before.values()].filter((o) => !d.faults.has(o.id)).sort(byObserved);
    for (const o of gone)
      out.audit.push({
        at: ctx.now,
        actor: ENGINE_ACTOR,
        action: "fault.merge",
        faultId: o.id,
        detail: { into: d.aliases.get(o.id) ?? this.log.aliases.get(o.id) ?? null },
      });
    for (const [id, a] of d.anchors) {
      this.log.setAnchor(id, a);
      changes.anchors.push([id, a]);
    }
    for (const [id, into] of d.aliases) {
      if (this.log.aliases.get(id) === into) continue;
      this.log.aliases.set(id, into);
      changes.aliases.push([id, into]);
    }
    for (const o of gone) {
      this.unindex(o);
      this.all.delete(o.id);
      this.byRef.get(refKey(o.device, o.condition))?.delete(o.id);
      changes.dropped.push(o.id);
    }
    // Their timers are set again below (schedule): an unchanged instant then leaves the queues as they are.
    after.forEach((n, i) => {
      const o = d.before.get(n.id);
      if (o) this.unlink(o);
      this.all.set(n.id, n);
      this.refs(n.device, n.condition).add(n.id);
      this.index(n);
      if (changed[i]) changes.faults.push(n);
    });
    this.now = ctx.now;
    for (const n of after) this.schedule(n, ctx.policy);
  }

  /** Brings the faults up to ctx.now (the collector's timer), then archives what can no longer change. */
  advanceTo(ctx: EngineContext): {
    audit: AuditDraft[];
    notices: Notice[];
    changes: EngineChanges;
    /** Faults the archive meant to freeze but did not: re-deriving the smaller log would have changed a fault. */
    archiveRefused?: string[];
  } {
    if (this.topology(ctx).cyclic) {
      const r = this.byReference((s) => ({ ok: true, ...advanceTo(s, ctx) }), ctx.now);
      if (!r.ok) throw new Error(r.error.message);
      return r;
    }
    this.ensureDue(ctx.policy);
    const changes = noChanges(ctx.now);
    const out: Out = { audit: [], notices: [] };
    this.commit(deriveKeys(this.timeDirty(ctx.now), this.env(ctx)), ctx, out, changes);
    const refused = archiveLive(this, ctx, out.audit, changes);
    return { ...out, changes, ...(refused ? { archiveRefused: refused } : {}) };
  }

  /** Earliest instant at which something changes by itself: a deadline breach or a folding decision. */
  nextDueAt(policy: Policy): number | undefined {
    this.ensureDue(policy);
    return this.due.peek();
  }

  /** As archive.ts's nextArchiveAt: when the next live resolved fault becomes old enough to archive. */
  nextArchiveAt(policy: Policy): number | undefined {
    if (policy.archive.afterSeconds === null) return undefined;
    this.ensureDue(policy);
    const first = this.archiveDue.peek();
    if (first === undefined || first > this.now) return first;
    const later = this.archiveDue.firstAfter(this.now);
    const retry = this.now + RETRY_MS;
    return later === undefined ? retry : Math.min(retry, later);
  }

  /**
   * Lets go of the archived faults held (frozen, they never change again) and returns them: an owner
   * that keeps them elsewhere (the collector: the store's fault rows) calls this once their archiving
   * is committed, so memory does not grow with the archive. From then on it hands the ones a command
   * refers to back to apply (archivedRefs). The archive's horizons stay: they are per key, not per fault.
   */
  releaseArchived(): Fault[] {
    const out: Fault[] = [];
    for (const id of this.archived.keys()) {
      const f = this.all.get(id);
      if (!f) continue;
      out.push(f);
      this.all.delete(id);
      const ref = refKey(f.device, f.condition);
      const ids = this.byRef.get(ref);
      ids?.delete(id);
      if (ids?.size === 0) this.byRef.delete(ref);
    }
    this.archived.clear();
    return out;
  }

  /** The state in the reference engine's shape (tests, and the way to run the reference on it); `archived`: released faults to put back. */
  toState(archived: ArchivedFaults = none): EngineState {
    const archivedFaults = { ...Object.fromEntries([...archived.keys()].map((id) => [id, 0])), ...Object.fromEntries(this.archived) };
    return {
      faults: { ...Object.fromEntries(archived), ...Object.fromEntries(this.all) },
      windows: { ...this.windows },
      log: this.log.toLog(),
      now: this.now,
      seq: this.seq,
      ...(this.hasArchive || archived.size > 0
        ? {
            archive: {
              faults: archivedFaults,
              eventIds: Object.fromEntries([...(this.archivedEventIds ?? [])].map((id) => [id, 1 as const])),
              keyHorizon: Object.fromEntries(this.keyHorizon),
              foldHorizon: this.foldHorizon,
            },
          }
        : {}),
    };
  }

  private byReference(
    run: (s: EngineState) => ReturnType<typeof apply>,
    now: number,
    archived: ArchivedFaults = none,
  ): LiveResult {
    const res = run(this.toState(archived));
    if (!res.ok) return res;
    this.load(res.state);
    // The released faults lent to the reference go back where they came from.
    for (const id of archived.keys()) {
      const f = this.all.get(id);
      this.archived.delete(id);
      this.all.delete(id);
      if (f) this.byRef.get(refKey(f.device, f.condition))?.delete(id);
    }
    return { ok: true, audit: res.audit, notices: res.notices, changes: { ...noChanges(now), full: true } };
  }
}

/** The earlier of `next` and `t`, counting `t` only when it is after `now` (a module function: schedule runs per fault). */
function earliestAfter(now: number, next: number | undefined, t: number | undefined): number | undefined {
  return t !== undefined && t > now && (next === undefined || t < next) ? t : next;
}

function foldLinks(f: Fault): string[] {
  return [f.parentId, f.fold?.parentId, f.fold?.directParentId].filter((l): l is string => l !== undefined);
}

function add(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set) set.add(id);
  else map.set(key, new Set([id]));
}

function remove(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
