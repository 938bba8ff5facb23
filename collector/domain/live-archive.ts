/**
 * archive.ts's archiveSettled for the incremental engine: the same choice (archive.ts's choose,
 * run over the fold groups of the faults old enough), the same cuts, and the same safety check
 * (the keys re-derived from the smaller log give exactly the faults that stay), but only over the
 * keys involved. The check failing archives nothing, as in the reference.
 */
import { canonicalJson } from "./audit-chain.ts";
import { archiveEntries, choose } from "./archive.ts";
import type { EngineChanges } from "./live-changes.ts";
import type { LiveEngine } from "./live-engine.ts";
import { deriveKeys } from "./live-derive.ts";
import type { Anchor } from "./live-log.ts";
import { keyHint } from "./project.ts";
import type { AuditDraft, EngineContext, EngineLog, EngineState, Fault, KeyLog } from "./types.ts";

/** The live faults old enough to archive, with everything they fold with (closed under fold links). */
function candidates(engine: LiveEngine, now: number): Record<string, Fault> {
  const out: Record<string, Fault> = {};
  const stack = engine.archiveDue.dueBy(now);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out[id] || !engine.isLive(id)) continue;
    const f = engine.all.get(id)!;
    out[id] = f;
    for (const l of [f.parentId, f.fold?.parentId, f.fold?.directParentId]) if (l !== undefined) stack.push(l);
    stack.push(...(engine.links.get(id) ?? []));
  }
  return out;
}

/** The part of the log the candidates' keys need, in EngineLog shape, for archive.ts's choose. */
function logFor(engine: LiveEngine, faults: Record<string, Fault>): EngineLog {
  const log = engine.log;
  const keys: Record<string, KeyLog> = {};
  const anchors: EngineLog["anchors"] = {};
  const actions = [];
  for (const key of new Set(Object.values(faults).map((f) => f.key))) {
    const k = log.keys.get(key);
    if (k) keys[key] = k;
    for (const id of log.anchorIndex.get(key)?.values() ?? []) anchors[id] = log.anchors.get(id)!;
    actions.push(...(log.actions.get(key) ?? []));
  }
  actions.sort((a, b) => a.seq - b.seq);
  return { keys, eventKeys: {}, manual: [], actions, anchors, aliases: Object.fromEntries(log.aliases) };
}

/** Archives what can no longer change; returns the faults it meant to archive when its safety check refused. */
export function archiveLive(
  engine: LiveEngine,
  ctx: EngineContext,
  audit: AuditDraft[],
  changes: EngineChanges,
): string[] | undefined {
  const { policy } = ctx;
  if (policy.archive.afterSeconds === null) return;
  const live = candidates(engine, ctx.now);
  if (Object.keys(live).length === 0) return;
  const mini: EngineState = { faults: live, windows: {}, log: logFor(engine, live), now: ctx.now, seq: engine.seq };
  const { ids, cuts } = choose(mini, ctx);
  if (ids.size === 0) return;

  const log = engine.log;
  const undo: Array<() => void> = [];
  const gone = (id: string) => ids.has(log.resolve(id));
  const reopenMs = policy.reopenWithinSeconds * 1000;
  const horizons = new Map<string, number>();
  const cutRecords: EngineChanges["cuts"] = [];
  const droppedEvents: string[] = [];
  for (const [key, cut] of cuts) {
    const k = log.keys.get(key)!;
    const dropped = k.events.slice(0, cut.last + 1);
    const rest = k.events.slice(cut.last + 1);
    const hint = keyHint(k);
    undo.push(() => log.putKey(key, k));
    if (rest.length === 0 && hint === undefined) log.deleteKey(key);
    else log.putKey(key, { ...k, events: rest, ...(hint !== undefined ? { classHint: hint } : {}) });
    for (const e of dropped) droppedEvents.push(e.eventId);
    const horizon = Math.max(engine.keyHorizon.get(key) ?? 0, cut.endAt + reopenMs);
    horizons.set(key, horizon);
    cutRecords.push({
      key,
      device: k.device,
      condition: k.condition,
      labels: k.labels,
      horizon,
      ...(hint !== undefined ? { classHint: hint } : {}),
    });
  }
  let foldHorizon = engine.foldHorizon;
  const graceMs = policy.dependencies.foldGraceSeconds * 1000;
  const topo = engine.topology(ctx);
  for (const id of ids) {
    const f = engine.all.get(id)!;
    if (f.source === "auto" && topo.foldRelevant(f.condition))
      foldHorizon = Math.max(foldHorizon, f.resolvedAt! + graceMs, (cuts.get(f.key)?.endAt ?? 0) + graceMs);
  }
  const removedAliases = [...log.aliases.keys()].filter(gone);
  const homeKeys = new Set([...ids].map((id) => engine.all.get(id)!.key));
  const removedActions: number[] = [];
  for (const key of homeKeys) {
    const list = log.actions.get(key);
    if (!list) continue;
    const keep = list.filter((a) => !gone(a.faultId));
    for (const a of list) if (gone(a.faultId)) removedActions.push(a.seq);
    undo.push(() => log.actions.set(key, list));
    if (keep.length > 0) log.actions.set(key, keep);
    else log.actions.delete(key);
  }
  const removedAnchors: Array<[string, Anchor]> = [];
  for (const id of ids) {
    const a = log.anchors.get(id);
    if (a) removedAnchors.push([id, a]);
  }
  const aliasValues = removedAliases.map((id) => [id, log.aliases.get(id)!] as const);
  for (const [id] of removedAnchors) log.setAnchor(id, undefined);
  for (const id of removedAliases) log.aliases.delete(id);
  const removedManual: string[] = [];
  for (const id of ids) {
    const f = engine.all.get(id)!;
    const m = f.source === "manual" ? log.manual.get(f.key) : undefined;
    if (!m) continue;
    removedManual.push(id);
    log.deleteManual(f.key);
    undo.push(() => log.addManual(m));
  }
  undo.push(() => {
    for (const [id, a] of removedAnchors) log.setAnchor(id, a);
    for (const [id, into] of aliasValues) log.aliases.set(id, into);
  });

  let minted = false;
  const check = deriveKeys(homeKeys, {
    ...engine.env(ctx),
    ctx: {
      ...ctx,
      newId: () => {
        minted = true;
        return "\u0000new";
      },
    },
  });
  const stays = [...check.before.keys()].filter((id) => !ids.has(id));
  const same =
    !minted &&
    check.faults.size === stays.length &&
    stays.every((id) => {
      const f = check.faults.get(id);
      return f !== undefined && canonicalJson(f) === canonicalJson(check.before.get(id));
    });
  if (!same) {
    for (const u of undo.reverse()) u();
    return [...ids].sort();
  }

  for (const e of droppedEvents) {
    log.eventKeys.delete(e);
    engine.archivedEventIds?.add(e);
  }
  for (const [key, h] of horizons) engine.keyHorizon.set(key, h);
  engine.foldHorizon = foldHorizon;
  engine.hasArchive = true;
  for (const id of ids) {
    engine.unindex(engine.all.get(id)!);
    engine.archived.set(id, ctx.now);
  }
  const entries = archiveEntries(
    [...ids].map((id) => engine.all.get(id)!),
    ctx.now,
  );
  audit.push(...entries);
  changes.archived.push(...entries.map((e) => e.faultId!));
  changes.cuts.push(...cutRecords);
  changes.archivedEvents.push(...droppedEvents);
  changes.foldHorizon = foldHorizon;
  changes.removedActions.push(...removedActions);
  changes.removedManual.push(...removedManual);
  for (const [id] of removedAnchors) changes.anchors.push([id, undefined]);
  for (const id of removedAliases) changes.aliases.push([id, undefined]);
  return undefined;
}
