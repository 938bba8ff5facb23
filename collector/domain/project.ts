/**
 * Derives every fault from the engine's log as of ctx.now: condition episodes per key (with
 * people's resolve / close marks), stable ids, manual faults, folding, classification, people's
 * actions, maintenance windows, then status and breaches. A pure function of (log, windows, ctx);
 * only new ids come from ctx.newId.
 */
import { applyAction, deriveStatus } from "./actions.ts";
import { classify, deviceInfo } from "./classify.ts";
import { breachesOf } from "./deadlines.ts";
import { deriveEpisodes, type Episode, type Mark } from "./episodes.ts";
import { manualKey } from "./fault-key.ts";
import { applyFolding } from "./folding.ts";
import { anchorIndex, assignIds, type Identities, resolveAlias } from "./identity.ts";
import type { ActionRecord, EngineContext, EngineLog, Fault, KeyLog, MaintenanceWindow, ManualOpen } from "./types.ts";
import { applyWindows } from "./windows.ts";

export interface Projection {
  faults: Record<string, Fault>;
  anchors: EngineLog["anchors"];
  aliases: EngineLog["aliases"];
}

export function baseFault(id: string, key: string, k: KeyLog, ep: Episode): Fault {
  return {
    id,
    key,
    device: k.device,
    condition: k.condition,
    labels: { ...k.labels },
    title: ep.firstEvent.title ?? `${k.condition} on ${k.device}`,
    class: "general",
    classSource: "default",
    source: "auto",
    status: "open",
    openedAt: ep.openedAt,
    firstObservedAt: ep.openedAt,
    acks: [],
    ...(ep.resolvedAt !== undefined ? { resolvedAt: ep.resolvedAt, resolvedBy: ep.resolvedBy } : {}),
    ...(ep.closedAt !== undefined ? { closedAt: ep.closedAt, closedBy: ep.closedBy } : {}),
    reopenCount: ep.reopenedAt.length,
    reopenedAt: [...ep.reopenedAt],
    breaches: [],
    children: [],
    classHistory: [],
    comments: [],
  };
}

export function manualFault(m: ManualOpen): Fault {
  return {
    id: m.faultId,
    key: manualKey(m.device, m.faultId),
    device: m.device,
    condition: "manual",
    labels: {},
    title: m.title,
    class: m.class,
    classSource: "manual",
    source: "manual",
    openedBy: m.by,
    status: "open",
    openedAt: m.at,
    firstObservedAt: m.at,
    acks: [],
    reopenCount: 0,
    reopenedAt: [],
    breaches: [],
    children: [],
    classHistory: [],
    comments: [],
  };
}

/** A person's resolve / close of an auto fault, placed on its key's timeline. */
export function markFor(
  kind: Mark["kind"],
  a: ActionRecord,
  anchor: EngineLog["anchors"][string],
): Mark {
  return {
    kind,
    at: a.at,
    by: a.by,
    anchorEventId: anchor.eventId,
    position: Math.max(a.at, anchor.at),
    seq: a.seq,
  };
}

export function marksByKey(log: EngineLog): Map<string, Mark[]> {
  const out = new Map<string, Mark[]>();
  for (const a of log.actions) {
    if (a.type !== "resolve" && a.type !== "close") continue;
    const anchor = log.anchors[resolveAlias(log.aliases, a.faultId)];
    if (!anchor) continue;
    out.set(anchor.key, [...(out.get(anchor.key) ?? []), markFor(a.type, a, anchor)]);
  }
  return out;
}

/** The key's class hint: its first event carrying one (or the one kept when those were archived). */
export function keyHint(k: KeyLog | undefined): KeyLog["classHint"] {
  return k?.classHint ?? k?.events.find((e) => e.classHint !== undefined)?.classHint;
}

export function project(
  log: EngineLog,
  windows: Record<string, MaintenanceWindow>,
  ctx: EngineContext,
): Projection {
  const { policy, inventory, now } = ctx;
  const ids: Identities = { anchors: { ...log.anchors }, aliases: { ...log.aliases } };
  const faults: Record<string, Fault> = {};
  const marks = marksByKey(log);
  const anchorsByKey = anchorIndex(log.anchors);
  for (const key of Object.keys(log.keys).sort()) {
    const k = log.keys[key]!;
    const hint = keyHint(k);
    const device = deviceInfo(inventory, k.device);
    const { autoResolve } = classify(
      { device, condition: k.condition, affectedDevices: 1, classHint: hint },
      policy,
    );
    const episodes = deriveEpisodes(k.events, marks.get(key) ?? [], {
      reopenWithinMs: policy.reopenWithinSeconds * 1000,
      autoResolve,
    });
    const episodeIds = assignIds(key, episodes, ids, anchorsByKey.get(key) ?? new Map(), ctx.newId);
    episodes.forEach((ep, i) => {
      const id = episodeIds[i]!;
      faults[id] = baseFault(id, key, k, ep);
    });
  }
  for (const m of log.manual) faults[m.faultId] = manualFault(m);

  applyFolding(faults, inventory, policy, now);

  for (const f of Object.values(faults)) {
    if (f.source !== "auto") continue;
    const affected = 1 + f.children.length;
    const hint = keyHint(log.keys[f.key]);
    const c = classify(
      {
        device: deviceInfo(inventory, f.device),
        condition: f.condition,
        affectedDevices: affected,
        classHint: hint,
      },
      policy,
    );
    f.class = c.class;
    f.classSource = c.source;
  }

  for (const a of log.actions) {
    const f = faults[resolveAlias(ids.aliases, a.faultId)];
    if (f) applyAction(f, a);
  }

  for (const f of Object.values(faults)) {
    applyWindows(f, windows, inventory, policy);
    f.status = deriveStatus(f);
    if (f.status === "folded") continue;
    f.breaches = breachesOf(f, now, policy);
  }
  return { faults, anchors: ids.anchors, aliases: ids.aliases };
}
