/**
 * Stable ids for derived faults. The first time an episode appears it gets a new id, anchored to
 * its first firing event; later derivations find the id again through that event, whatever else
 * arrived meanwhile. When late events join two episodes, the earlier fault keeps its id and the
 * other becomes an alias of it (actions on either land on the same fault).
 */
import type { Episode } from "./episodes.ts";
import type { EngineLog } from "./types.ts";
import { own } from "./own.ts";

export interface Identities {
  anchors: EngineLog["anchors"];
  aliases: EngineLog["aliases"];
}

export function resolveAlias(aliases: EngineLog["aliases"], id: string): string {
  let cur = id;
  for (let i = 0; i < 64 && own(aliases, cur) !== undefined; i++) cur = aliases[cur]!;
  return cur;
}

/** Anchor event id -> fault id, per key (built once per derivation). */
export function anchorIndex(anchors: EngineLog["anchors"]): Map<string, Map<string, string>> {
  const index = new Map<string, Map<string, string>>();
  for (const [faultId, a] of Object.entries(anchors)) {
    let byEvent = index.get(a.key);
    if (!byEvent) {
      byEvent = new Map();
      index.set(a.key, byEvent);
    }
    byEvent.set(a.eventId, faultId);
  }
  return index;
}

/** Ids for the episodes of one key (in order); updates anchors and aliases in place. */
export function assignIds(
  key: string,
  episodes: Episode[],
  ids: Identities,
  byEvent: Map<string, string>,
  newId: () => string,
): string[] {
  return episodes.map((ep) => {
    const found = [
      ...new Set(ep.firingIds.map((e) => byEvent.get(e)).filter((f): f is string => f !== undefined)),
    ];
    if (found.length === 0) {
      const id = newId();
      ids.anchors[id] = { key, eventId: ep.firstEvent.eventId, at: ep.firstEvent.at };
      return id;
    }
    found.sort((a, b) => ids.anchors[a]!.at - ids.anchors[b]!.at || (a < b ? -1 : 1));
    const [keep, ...merged] = found as [string, ...string[]];
    for (const m of merged) {
      ids.aliases[m] = keep;
      delete ids.anchors[m];
    }
    return keep;
  });
}
