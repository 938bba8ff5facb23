import type { RawRead } from "../drivers/types.ts";
import type { LoadedProfile } from "./load.ts";

/** Why a device's profile was composed again (bounded: a metric label). */
export type ReprobeReason = "sysobjectid" | "restart" | "unprobed";

/** A re-probe: why, the profiles applied before and after, and what the device said (for the log). */
export interface Reprobe {
  reason: ReprobeReason;
  from: string[];
  to: string[];
  detail: Record<string, string>;
}

export interface ProfileChange extends Reprobe {
  /** The profile to read the device with from now on; undefined when the probe found the same profiles. */
  profile?: LoadedProfile;
}

/**
 * A device whose profile was composed from what it answered (`profile: auto`): its identity is read
 * with every poll, and the profile is composed again when the device changed.
 */
export interface ProfileWatch {
  /** Sources read with every poll after the profile's own (sysObjectID, sysUpTime). */
  readonly sources: readonly unknown[];
  /** Given this poll's reads of `sources`: the change when the device must be (and was) probed again. */
  check(reads: readonly RawRead[]): Promise<ProfileChange | undefined>;
}
