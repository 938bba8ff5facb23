import type { Debounce } from "../profiles/schema.ts";

/** Where one condition instance stands; persisted by the agent so a restart neither re-fires nor forgets. */
export interface ConditionTrack {
  state: "firing" | "clear";
  /** Consecutive polls that disagree with `state`, and when the first of them was observed. */
  pendingPolls: number;
  pendingSince?: number;
}

export const initialTrack: ConditionTrack = { state: "clear", pendingPolls: 0 };

export interface DebounceStep {
  track: ConditionTrack;
  /** Set when the state changed; `observedAt` is when the change was first seen, not when it was confirmed. */
  change?: { state: "firing" | "clear"; observedAt: number };
}

function satisfied(rule: Debounce, polls: number, since: number, at: number): boolean {
  return "polls" in rule ? polls >= rule.polls : at - since >= rule.duration * 1000;
}

/**
 * Advances one condition instance by one observation. `observed` undefined (reading missing) keeps
 * the state and resets any pending change: an unknown is not evidence either way.
 */
export function debounceStep(
  track: ConditionTrack,
  observed: boolean | undefined,
  at: number,
  rules: { fireAfter: Debounce; clearAfter: Debounce },
): DebounceStep {
  if (observed === undefined) return { track: { state: track.state, pendingPolls: 0 } };
  const wanted = observed ? "firing" : "clear";
  if (wanted === track.state) return { track: { state: track.state, pendingPolls: 0 } };
  const since = track.pendingPolls > 0 && track.pendingSince !== undefined ? track.pendingSince : at;
  const polls = track.pendingPolls + 1;
  const rule = wanted === "firing" ? rules.fireAfter : rules.clearAfter;
  if (satisfied(rule, polls, since, at))
    return { track: { state: wanted, pendingPolls: 0 }, change: { state: wanted, observedAt: since } };
  return { track: { state: track.state, pendingPolls: polls, pendingSince: since } };
}
