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

export function compareEvents(a: ConditionRecord, b: ConditionRecord): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

const compareMarks = (a: Mark, b: Mark) => a.position - b.position || a.seq - b.seq;

/** The list itself when already in order (the engine keeps its events sorted), else a sorted copy. */
function inOrder<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1]!, list[i]!) > 0) return [...list].sort(compare);
  return list;
}

export function deriveEpisodes(unsortedEvents: ConditionRecord[], unsortedMarks: Mark[], opts: EpisodeOptions): Episode[] {
  // One timeline: events by (time, id), marks at their position by seq, an event before a mark at
  // the same instant.
  const events = inOrder(unsortedEvents, compareEvents);
  const marks = inOrder(unsortedMarks, compareMarks);
  const episodes: Episode[] = [];
  let firing = false;
  let cur: Episode | undefined;
  let last: Episode | undefined;
  let i = 0;
  let j = 0;
  while (i < events.length || j < marks.length) {
    const next = events[i];
    const m = marks[j];
    if (m !== undefined && (next === undefined || m.position < next.at)) {
      j += 1;
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
    const e = events[i++]!;
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
