/**
 * The occurrences of one condition key, derived from its events sorted by device time, so the
 * order in which events were delivered never matters. An episode opens at the first firing after
 * a clear, auto-resolves at the clear (when the rule says so), and reopens when the condition fires
 * again within reopenWithinSeconds of the resolution (a closed fault never reopens).
 * People's resolve / close actions on auto faults are "marks" placed on the same timeline.
 */
import type { ConditionRecord } from "./types.ts";

export interface Mark {
  kind: "resolve" | "close";
  at: number;
  by: string;
  /** The firing event that identifies the fault the person acted on. */
  anchorEventId: string;
  /** Where the mark sits on the timeline: never before the anchor event. */
  position: number;
  seq: number;
}

export interface Episode {
  openedAt: number;
  firstEvent: ConditionRecord;
  firingIds: string[];
  reopenedAt: number[];
  resolvedAt?: number;
  resolvedBy?: string;
  closedAt?: number;
  closedBy?: string;
}

export interface EpisodeOptions {
  reopenWithinMs: number;
  autoResolve: boolean;
}

type Item = { kind: "event"; t: number; event: ConditionRecord } | { kind: "mark"; t: number; mark: Mark };

function compareItems(a: Item, b: Item): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.kind !== b.kind) return a.kind === "event" ? -1 : 1;
  if (a.kind === "event" && b.kind === "event") return a.event.eventId < b.event.eventId ? -1 : 1;
  if (a.kind === "mark" && b.kind === "mark") return a.mark.seq - b.mark.seq;
  return 0;
}

export function compareEvents(a: ConditionRecord, b: ConditionRecord): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

export function deriveEpisodes(events: ConditionRecord[], marks: Mark[], opts: EpisodeOptions): Episode[] {
  const items: Item[] = [
    ...events.map((event): Item => ({ kind: "event", t: event.at, event })),
    ...marks.map((mark): Item => ({ kind: "mark", t: mark.position, mark })),
  ].sort(compareItems);
  const episodes: Episode[] = [];
  let firing = false;
  let cur: Episode | undefined;
  let last: Episode | undefined;
  for (const item of items) {
    if (item.kind === "mark") {
      const m = item.mark;
      if (m.kind === "resolve" && cur?.firingIds.includes(m.anchorEventId)) {
        cur.resolvedAt = Math.max(m.at, cur.openedAt, ...cur.reopenedAt);
        cur.resolvedBy = m.by;
        last = cur;
        cur = undefined;
      } else if (
        m.kind === "close" &&
        last?.firingIds.includes(m.anchorEventId) &&
        last.resolvedAt !== undefined
      ) {
        last.closedAt ??= Math.max(m.at, last.resolvedAt);
        last.closedBy ??= m.by;
      }
      continue;
    }
    const e = item.event;
    if (e.state === "clear") {
      if (!firing) continue;
      firing = false;
      if (cur && opts.autoResolve) {
        cur.resolvedAt = e.at;
        cur.resolvedBy = "auto";
        last = cur;
        cur = undefined;
      }
      continue;
    }
    if (cur) {
      cur.firingIds.push(e.eventId);
      firing = true;
      continue;
    }
    if (firing) {
      // Still the same occurrence (a person resolved it while the condition kept firing).
      last?.firingIds.push(e.eventId);
      continue;
    }
    firing = true;
    const gap = last?.resolvedAt === undefined ? Number.POSITIVE_INFINITY : e.at - last.resolvedAt;
    if (last && last.closedAt === undefined && gap <= opts.reopenWithinMs) {
      last.resolvedAt = undefined;
      last.resolvedBy = undefined;
      last.reopenedAt.push(e.at);
      last.firingIds.push(e.eventId);
      cur = last;
    } else {
      cur = { openedAt: e.at, firstEvent: e, firingIds: [e.eventId], reopenedAt: [] };
      episodes.push(cur);
    }
  }
  return episodes;
}
