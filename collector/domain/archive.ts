/**
 * Archiving keeps the working log small. A fault that can no longer change (resolved or closed
 * more than policy.archive.afterSeconds ago, every deadline decided, no exemption request
 * waiting, not still pending a fold) is frozen: it stays in state.faults exactly as it is, and
 * everything in the log that only served it (its key's events up to and including its episode,
 * its manual open, its actions, anchors and aliases) is dropped. A fault and the records folded
 * into it (or unfolded from it) are archived together. The archived event ids are kept so a
 * redelivery changes nothing; a condition event older than what was archived is too late to change
 * anything and is ignored. Before the log is replaced, the faults derived from the smaller log are
 * checked to be exactly the faults that were not archived; if not, nothing is archived.
 */
import { canonicalJson } from "./audit-chain.ts";
import { classify, deviceInfo } from "./classify.ts";
import { evaluate } from "./deadlines.ts";
import { ENGINE_ACTOR } from "./diff.ts";
import { deriveEpisodes } from "./episodes.ts";
import { faultKey } from "./fault-key.ts";
import { anchorIndex, resolveAlias } from "./identity.ts";
import { own } from "./own.ts";
import { matchesAny } from "./pattern.ts";
import type { Policy } from "./policy.ts";
import { keyHint, marksByKey, project } from "./project.ts";
import type {
  ArchiveState,
  AuditDraft,
  Command,
  EngineContext,
  EngineLog,
  EngineState,
  Fault,
} from "./types.ts";

/** A resolved fault blocked from archiving (e.g. its condition still fires) is looked at again this often. */
export const RETRY_MS = 3600_000;

export function emptyArchive(): ArchiveState {
  return { faults: {}, eventIds: {}, keyHorizon: {}, foldHorizon: 0 };
}

export function isArchived(state: Pick<EngineState, "archive">, faultId: string): boolean {
  return state.archive !== undefined && own(state.archive.faults, faultId) !== undefined;
}

/** A condition event that must change nothing: an archived event redelivered, or one older than what was archived. */
export function tooLate(
  archive: ArchiveState | undefined,
  cmd: Extract<Command, { type: "condition" }>,
  policy: Policy,
): boolean {
  if (!archive) return false;
  if (own(archive.eventIds, cmd.eventId) !== undefined) return true;
  const horizon = own(archive.keyHorizon, faultKey(cmd.device, cmd.condition, cmd.labels ?? {}));
  if (horizon !== undefined && cmd.at <= horizon) return true;
  return foldRelevant(cmd.condition, policy) && cmd.at <= archive.foldHorizon;
}

function foldRelevant(condition: string, policy: Policy): boolean {
  const deps = policy.dependencies;
  return matchesAny(condition, deps.childConditions) || matchesAny(condition, deps.parentConditions);
}

function settled(f: Fault, now: number, policy: Policy, afterMs: number): boolean {
  if (f.resolvedAt === undefined || f.pendingFoldUntil !== undefined) return false;
  if (f.exemption?.status === "requested") return false;
  if (now <= f.resolvedAt + afterMs) return false;
  return evaluate(f, now, policy).deadlines.every((d) => d.status !== "pending");
}

/** Live faults grouped with everything they fold with; a group is archived whole or not at all. */
function groups(live: Record<string, Fault>): Map<string, string[]> {
  const BLOCKED = "\u0000blocked";
  const up = new Map<string, string>();
  const find = (id: string): string => {
    let cur = id;
    while (up.get(cur) !== undefined && up.get(cur) !== cur) cur = up.get(cur)!;
    return cur;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    if (ra === BLOCKED) up.set(rb, BLOCKED);
    else up.set(ra, rb);
  };
  for (const f of Object.values(live)) {
    for (const link of [f.parentId, f.fold?.parentId, f.fold?.directParentId]) {
      if (link !== undefined) union(f.id, live[link] ? link : BLOCKED);
    }
  }
  const out = new Map<string, string[]>();
  for (const id of Object.keys(live)) {
    const root = find(id);
    if (root !== BLOCKED) out.set(root, [...(out.get(root) ?? []), id]);
  }
  return out;
}

interface Cut {
  /** Index of the last event dropped. */
  last: number;
  /** Device time after which the key starts afresh. */
  endAt: number;
}

interface KeyIndex {
  marks: ReturnType<typeof marksByKey>;
  anchors: ReturnType<typeof anchorIndex>;
}

/** Where the key's log can be cut so that the archived episodes (a prefix) go and the rest derives the same. */
function cutFor(
  key: string,
  log: EngineLog,
  index: KeyIndex,
  faults: Record<string, Fault>,
  chosen: Set<string>,
  ctx: EngineContext,
) {
  const k = log.keys[key]!;
  const { policy, inventory } = ctx;
  const { autoResolve } = classify(
    {
      device: deviceInfo(inventory, k.device),
      condition: k.condition,
      affectedDevices: 1,
      classHint: keyHint(k),
    },
    policy,
  );
  const episodes = deriveEpisodes(k.events, index.marks.get(key) ?? [], {
    reopenWithinMs: policy.reopenWithinSeconds * 1000,
    autoResolve,
  });
  const byEvent = index.anchors.get(key) ?? new Map<string, string>();
  const ids = episodes.map((ep) => ep.firingIds.map((e) => byEvent.get(e)).find((id) => id !== undefined));
  const prefix = ids.findIndex((id) => id === undefined || !chosen.has(id));
  const n = prefix === -1 ? ids.length : prefix;
  const beyond = ids.slice(n).filter((id): id is string => id !== undefined && chosen.has(id));
  if (n === 0) return { beyond, cut: undefined };
  const at = new Map(k.events.map((e, i) => [e.eventId, i]));
  let last = 0;
  for (const ep of episodes.slice(0, n)) for (const e of ep.firingIds) last = Math.max(last, at.get(e)!);
  const next = k.events[last + 1];
  const prefixIds = ids.slice(0, n) as string[];
  if (next?.state !== "clear") return { beyond: [...beyond, ...prefixIds], cut: undefined };
  const endAt = prefixIds.reduce((t, id) => Math.max(t, faults[id]!.resolvedAt!), next.at);
  if (ctx.now <= endAt + (policy.archive.afterSeconds ?? 0) * 1000)
    return { beyond: [...beyond, ...prefixIds], cut: undefined };
  return { beyond, cut: { last: last + 1, endAt } as Cut };
}

/** The faults to archive now, and where each affected key's log is cut. */
export function choose(state: EngineState, ctx: EngineContext): { ids: Set<string>; cuts: Map<string, Cut> } {
  const afterMs = (ctx.policy.archive.afterSeconds ?? 0) * 1000;
  const live: Record<string, Fault> = {};
  for (const f of Object.values(state.faults)) if (!isArchived(state, f.id)) live[f.id] = f;
  const groupOf = new Map<string, string[]>();
  for (const members of groups(live).values()) {
    if (!members.every((id) => settled(live[id]!, ctx.now, ctx.policy, afterMs))) continue;
    for (const id of members) groupOf.set(id, members);
  }
  const chosen = new Set(groupOf.keys());
  const index: KeyIndex = { marks: marksByKey(state.log), anchors: anchorIndex(state.log.anchors) };
  for (;;) {
    const cuts = new Map<string, Cut>();
    const drop: string[] = [];
    const keys = new Set([...chosen].filter((id) => live[id]!.source === "auto").map((id) => live[id]!.key));
    for (const key of keys) {
      const { beyond, cut } = cutFor(key, state.log, index, live, chosen, ctx);
      drop.push(...beyond);
      if (cut) cuts.set(key, cut);
    }
    if (drop.length === 0) return { ids: chosen, cuts };
    for (const id of drop) for (const member of groupOf.get(id) ?? [id]) chosen.delete(member);
  }
}

/** Archives what can no longer change; undefined when nothing is archived. Run from advanceTo. */
export function archiveSettled(
  state: EngineState,
  ctx: EngineContext,
): { state: EngineState; audit: AuditDraft[] } | undefined {
  const { policy } = ctx;
  if (policy.archive.afterSeconds === null || nextArchiveAt(state, policy, true) === undefined)
    return undefined;
  const { ids, cuts } = choose(state, ctx);
  if (ids.size === 0) return undefined;
  const log = state.log;
  const archive = state.archive ?? emptyArchive();
  const eventIds = { ...archive.eventIds };
  const keyHorizon = { ...archive.keyHorizon };
  const keys = { ...log.keys };
  const eventKeys = { ...log.eventKeys };
  const reopenMs = policy.reopenWithinSeconds * 1000;
  for (const [key, cut] of cuts) {
    const k = log.keys[key]!;
    for (const e of k.events.slice(0, cut.last + 1)) {
      eventIds[e.eventId] = 1;
      delete eventKeys[e.eventId];
    }
    const rest = k.events.slice(cut.last + 1);
    const hint = keyHint(k);
    if (rest.length === 0 && hint === undefined) delete keys[key];
    else keys[key] = { ...k, events: rest, ...(hint !== undefined ? { classHint: hint } : {}) };
    keyHorizon[key] = Math.max(keyHorizon[key] ?? 0, cut.endAt + reopenMs);
  }
  let foldHorizon = archive.foldHorizon;
  const graceMs = policy.dependencies.foldGraceSeconds * 1000;
  for (const id of ids) {
    const f = state.faults[id]!;
    if (f.source === "auto" && foldRelevant(f.condition, policy))
      foldHorizon = Math.max(foldHorizon, f.resolvedAt! + graceMs, (cuts.get(f.key)?.endAt ?? 0) + graceMs);
  }
  const gone = (id: string) => ids.has(resolveAlias(log.aliases, id));
  const anchors = Object.fromEntries(Object.entries(log.anchors).filter(([id]) => !ids.has(id)));
  const aliases = Object.fromEntries(Object.entries(log.aliases).filter(([id]) => !gone(id)));
  const nextLog: EngineLog = {
    keys,
    eventKeys,
    manual: log.manual.filter((m) => !ids.has(m.faultId)),
    actions: log.actions.filter((a) => !gone(a.faultId)),
    anchors,
    aliases,
  };
  let minted = false;
  const check = project(nextLog, state.windows, {
    ...ctx,
    newId: () => {
      minted = true;
      return "\u0000new";
    },
  });
  const expected = Object.values(state.faults).filter((f) => !isArchived(state, f.id) && !ids.has(f.id));
  const same =
    !minted &&
    Object.keys(check.faults).length === expected.length &&
    expected.every((f) => check.faults[f.id] && canonicalJson(check.faults[f.id]) === canonicalJson(f));
  if (!same) return undefined;
  const faults = { ...archive.faults };
  for (const id of ids) faults[id] = ctx.now;
  const audit = archiveEntries(
    [...ids].map((id) => state.faults[id]!),
    ctx.now,
  );
  return {
    state: { ...state, log: nextLog, archive: { faults, eventIds, keyHorizon, foldHorizon } },
    audit,
  };
}

/** One fault.archive entry per archived fault, in the order they were first observed. */
export function archiveEntries(faults: Fault[], now: number): AuditDraft[] {
  return faults
    .sort((a, b) => a.firstObservedAt - b.firstObservedAt || (a.id < b.id ? -1 : 1))
    .map((f) => ({
      at: now,
      actor: ENGINE_ACTOR,
      action: "fault.archive",
      faultId: f.id,
      detail: { status: f.status, resolvedAt: f.resolvedAt ?? null, closedAt: f.closedAt ?? null },
    }));
}

/**
 * The next instant at which a live resolved fault becomes old enough to archive (for the
 * collector's timer); one already old enough but held back is looked at again after RETRY_MS.
 * With `due`, returns the current instant when something is old enough now.
 */
export function nextArchiveAt(state: EngineState, policy: Policy, due = false): number | undefined {
  const after = policy.archive.afterSeconds;
  if (after === null) return undefined;
  let next: number | undefined;
  for (const f of Object.values(state.faults)) {
    if (f.resolvedAt === undefined || isArchived(state, f.id)) continue;
    let t = f.resolvedAt + after * 1000 + 1;
    if (t <= state.now) {
      if (due) return state.now;
      t = state.now + RETRY_MS;
    }
    if (!due && (next === undefined || t < next)) next = t;
  }
  return due ? undefined : next;
}
