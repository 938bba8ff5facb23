/**
 * project.ts for a subset of keys: derives the faults of the keys a command touched, and of the
 * keys whose faults can change with them (the devices below a folding condition, the faults
 * others fold into), taking every other fault as it stands. Same steps, same order, same result
 * for those keys as a full derivation (the property test in live-engine.test.ts checks it).
 */
import { applyAction, deriveStatus } from "./actions.ts";
import { type Classification, classify, deviceInfo } from "./classify.ts";
import { breachesOf } from "./deadlines.ts";
import { deriveEpisodes, type Mark } from "./episodes.ts";
import type { FoldTopology } from "./fold-topology.ts";
import { foldUnder } from "./folding.ts";
import { assignIds, type Identities } from "./identity.ts";
import type { Anchor, LiveLog } from "./live-log.ts";
import { baseFault, keyHint, manualFault, markFor } from "./project.ts";
import type { EngineContext, Fault, MaintenanceWindow } from "./types.ts";
import { applyWindows } from "./windows.ts";

export interface DeriveEnv {
  log: LiveLog;
  /** The live (not archived) fault as it stands. */
  current(id: string): Fault | undefined;
  /** Ids of the live faults of a key. */
  keyFaults(key: string): Iterable<string>;
  windows: Record<string, MaintenanceWindow>;
  topo: FoldTopology;
  ctx: EngineContext;
}

export interface Derivation {
  keys: Set<string>;
  /** The new records of every live fault of those keys. */
  faults: Map<string, Fault>;
  /** Their records before (faults missing from `faults` were merged away). */
  before: Map<string, Fault>;
  anchors: Map<string, Anchor | undefined>;
  aliases: Map<string, string>;
}

/** Keys whose folding can change when these keys change: condition keys on the devices below. */
function closure(dirty: Iterable<string>, env: DeriveEnv): Set<string> {
  const { log, topo } = env;
  const out = new Set<string>();
  const seenDevices = new Set<string>();
  for (const key of dirty) {
    out.add(key);
    const k = log.keys.get(key);
    if (!k || !topo.foldRelevant(k.condition) || seenDevices.has(k.device)) continue;
    seenDevices.add(k.device);
    for (const d of topo.descendants(k.device))
      for (const below of log.keysByDevice.get(d) ?? []) {
        const kb = log.keys.get(below);
        if (kb && topo.foldRelevant(kb.condition)) out.add(below);
      }
  }
  return out;
}

function rootKey(env: DeriveEnv, f: Fault | undefined): string | undefined {
  if (f?.status !== "folded" || f.parentId === undefined) return undefined;
  return env.current(f.parentId)?.key;
}

export function deriveKeys(dirty: Iterable<string>, env: DeriveEnv): Derivation {
  const keys = closure(dirty, env);
  // The faults that the keys' old records fold into get new children lists and classes.
  for (const key of [...keys])
    for (const id of env.keyFaults(key)) {
      const root = rootKey(env, env.current(id));
      if (root !== undefined) keys.add(root);
    }
  // A second pass (more roots) must hand out the ids the first one minted, in the same order.
  const minted: string[] = [];
  for (;;) {
    const result = derivePass(keys, { ...env, ctx: { ...env.ctx, newId: replaying(minted, env.ctx.newId) } });
    const missing = [...result.faults.values()]
      .filter((f) => f.status === "folded" && f.parentId !== undefined && !result.faults.has(f.parentId))
      .map((f) => env.current(f.parentId!)?.key)
      .filter((k): k is string => k !== undefined && !keys.has(k));
    if (missing.length === 0) return result;
    for (const k of missing) keys.add(k);
  }
}

/** Ids in the order `minted` has them, minting (and keeping) more once they run out. */
function replaying(minted: string[], mint: () => string): () => string {
  let n = 0;
  return () => {
    if (n === minted.length) minted.push(mint());
    return minted[n++]!;
  };
}

function marksFor(key: string, log: LiveLog): Mark[] {
  const marks: Mark[] = [];
  for (const a of log.actions.get(key) ?? []) {
    if (a.type !== "resolve" && a.type !== "close") continue;
    const anchor = log.anchors.get(log.resolve(a.faultId));
    if (anchor?.key === key) marks.push(markFor(a.type, a, anchor));
  }
  return marks;
}

function derivePass(keys: Set<string>, env: DeriveEnv): Derivation {
  const { log, ctx } = env;
  const { policy, inventory, now } = ctx;
  const sorted = [...keys].sort();
  const ids: Identities = { anchors: {}, aliases: {} };
  for (const key of sorted)
    for (const id of log.anchorIndex.get(key)?.values() ?? []) ids.anchors[id] = log.anchors.get(id)!;
  const before = new Map<string, Fault>();
  for (const key of sorted)
    for (const id of env.keyFaults(key)) {
      const f = env.current(id);
      if (f) before.set(id, f);
    }
  const originalAnchors = Object.keys(ids.anchors);

  const faults = new Map<string, Fault>();
  const byKey = new Map<string, Fault[]>();
  // A key's faults share device, condition and hint: one classification per key and number of devices.
  const classes = new Map<string, Classification>();
  const classOf = (key: string, device: string, condition: string, affectedDevices: number): Classification => {
    const memo = `${affectedDevices}\u0000${key}`;
    let c = classes.get(memo);
    if (!c) {
      c = classify(
        { device: deviceInfo(inventory, device), condition, affectedDevices, classHint: keyHint(log.keys.get(key)) },
        policy,
      );
      classes.set(memo, c);
    }
    return c;
  };
  for (const key of sorted) {
    const k = log.keys.get(key);
    if (!k) continue;
    const { autoResolve } = classOf(key, k.device, k.condition, 1);
    const episodes = deriveEpisodes(k.events, marksFor(key, log), {
      reopenWithinMs: policy.reopenWithinSeconds * 1000,
      autoResolve,
    });
    const episodeIds = assignIds(key, episodes, ids, log.anchorIndex.get(key) ?? new Map(), ctx.newId);
    const list: Fault[] = [];
    episodes.forEach((ep, i) => {
      const f = baseFault(episodeIds[i]!, key, k, ep);
      faults.set(f.id, f);
      list.push(f);
    });
    byKey.set(key, list);
  }
  for (const key of sorted) {
    const m = log.manual.get(key);
    if (m) faults.set(m.faultId, manualFault(m));
  }

  foldSubset(faults, byKey, keys, env);

  for (const f of faults.values()) {
    if (f.source !== "auto") continue;
    const c = classOf(f.key, f.device, f.condition, 1 + f.children.length);
    f.class = c.class;
    f.classSource = c.source;
  }
  const aliasOverlay = new Map(Object.entries(ids.aliases));
  for (const key of sorted)
    for (const a of log.actions.get(key) ?? []) {
      const f = faults.get(log.resolve(a.faultId, aliasOverlay));
      if (f) applyAction(f, a);
    }
  for (const f of faults.values()) {
    applyWindows(f, env.windows, inventory, policy);
    f.status = deriveStatus(f);
    if (f.status === "folded") continue;
    f.breaches = breachesOf(f, now, policy);
  }
  const anchors = new Map<string, Anchor | undefined>();
  for (const id of originalAnchors) if (ids.anchors[id] === undefined) anchors.set(id, undefined);
  for (const [id, a] of Object.entries(ids.anchors)) if (log.anchors.get(id) !== a) anchors.set(id, a);
  return { keys, faults, before, anchors, aliases: aliasOverlay };
}

// foldSubset's helpers are made by factories (the closures they return are anonymous), not named per
// call: run through tsx, which keeps function names, naming a closure costs a property definition.

/** Shallower devices first, then the earlier observed, then by id. */
function foldOrder(topo: FoldTopology): (a: Fault, b: Fault) => number {
  return (a, b) =>
    topo.depth(a.device) - topo.depth(b.device) || a.firstObservedAt - b.firstObservedAt || (a.id < b.id ? -1 : 1);
}

/** A device's faults: re-derived ones for the keys in the subset, the others as they stand. */
function faultsOnDevice(byKey: Map<string, Fault[]>, keys: Set<string>, env: DeriveEnv): (device: string) => Fault[] {
  return (device) => {
    const out: Fault[] = [];
    for (const key of env.log.keysByDevice.get(device) ?? []) {
      if (keys.has(key)) out.push(...(byKey.get(key) ?? []));
      else
        for (const id of env.keyFaults(key)) {
          const f = env.current(id);
          if (f) out.push(f);
        }
    }
    return out;
  };
}

/** folding.ts's applyFolding for the subset; faults outside it are taken as they stand. */
function foldSubset(faults: Map<string, Fault>, byKey: Map<string, Fault[]>, keys: Set<string>, env: DeriveEnv) {
  const { topo, ctx } = env;
  const graceMs = ctx.policy.dependencies.foldGraceSeconds * 1000;
  const order = foldOrder(topo);
  const auto = [...faults.values()].filter((f) => f.source === "auto").sort(order);
  const onDevice = faultsOnDevice(byKey, keys, env);
  for (const child of auto) {
    const parents = topo.parents(child.device);
    if (parents.length === 0 || !topo.isChild(child.condition)) continue;
    const start = child.firstObservedAt;
    const candidates = [...new Set(parents)]
      .flatMap(onDevice)
      .filter(
        (p) =>
          p !== child &&
          p.source === "auto" &&
          topo.isParent(p.condition) &&
          p.firstObservedAt - graceMs <= start &&
          start < (p.resolvedAt ?? Number.POSITIVE_INFINITY) &&
          !(p.status === "folded" && p.fold?.directParentId === child.id),
      )
      .sort(order);
    const parent = candidates[0];
    if (!parent) {
      if (child.resolvedAt === undefined && ctx.now < start + graceMs) child.pendingFoldUntil = start + graceMs;
      continue;
    }
    foldUnder(child, parent, graceMs, ctx.now);
  }
  const inside = new Map<string, string[]>();
  for (const f of faults.values()) {
    if (f.status !== "folded" || f.parentId === undefined || !faults.has(f.parentId)) continue;
    const list = inside.get(f.parentId);
    if (list) list.push(f.id);
    else inside.set(f.parentId, [f.id]);
  }
  // Children outside the subset keep folding into the roots inside it: the root's last list (sorted)
  // without the subset's, merged with the subset's — no re-sort of a storm's thousand children.
  for (const root of faults.values()) {
    const kept = (env.current(root.id)?.children ?? []).filter((id) => {
      const c = env.current(id);
      return c !== undefined && !keys.has(c.key);
    });
    root.children = mergeSorted(kept, (inside.get(root.id) ?? []).sort());
  }
}

function mergeSorted(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! < b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
