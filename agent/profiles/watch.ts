import type { RawRead } from "../drivers/types.ts";

/** Why a device's profile was composed again (bounded: a metric label). */
export type ReprobeReason = "sysobjectid" | "restart" | "unprobed";

/** A re-probe: why, the profiles applied before and after, and what the device said (for the log). */
export interface Reprobe {
  reason: ReprobeReason;
  from: string[];
  to: string[];
  detail: Record<string, string>;
}

/**
 * A device whose profile was composed from what it answered (`profile: auto`): its identity is read
 * with every poll, and the profile is composed again when the device changed.
 */
export interface ProfileWatch {
  /** Sources read with every poll after the profile's own (sysObjectID, sysUpTime). */
  readonly sources: readonly unknown[];
  /**
   * Given this poll's reads of `sources`: probes the device again when it changed and sets its new
   * profile on the device (while a probe runs, waits for that one).
   */
  check(reads: readonly RawRead[]): Promise<void>;
  /** The re-probe not yet reported by a poll, if any (then forgotten). */
  takeChange(): Reprobe | undefined;
}
