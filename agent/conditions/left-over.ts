import type { Profile } from "../profiles/schema.ts";
import type { ReprobeReason } from "../profiles/watch.ts";
import type { ConditionTrack } from "./debounce.ts";

/** What caused a composition change, in the words of the log line. */
const CAUSE: Record<ReprobeReason, string> = {
  sysobjectid: "device replaced",
  restart: "device restarted",
  unprobed: "device recognised",
};

/** Why left-over conditions were cleared, e.g. "device replaced: profile ups-mib → huawei-vrp+if-mib". */
export function leftOverReason(reason: ReprobeReason, from: readonly string[], to: readonly string[]): string {
  return `${CAUSE[reason]}: profile ${from.join("+") || "none"} → ${to.join("+") || "none"}`;
}

/**
 * After a re-probe changed the profiles a device is read with (`profile: auto`): the firing instances
 * whose condition the new composition no longer declares, neither as a polled condition nor as a trap
 * it maps. No poll evaluates them any more, so nothing else would ever clear them (a UPS swapped for a
 * switch would keep `ups.on_battery` open, its SLA clock running). The agent's own conditions (`own`,
 * e.g. device.unreachable) are evaluated for every device and never left over. Pure.
 */
export function leftOverInstances<T extends { condition: string; track: ConditionTrack }>(
  instances: Iterable<[string, T]>,
  profile: Pick<Profile, "conditions" | "traps">,
  own: ReadonlySet<string>,
): [string, T][] {
  const declared = new Set([
    ...profile.conditions.map((c) => c.name),
    ...(profile.traps ?? []).map((t) => t.condition),
    ...own,
  ]);
  return [...instances].filter(([, inst]) => inst.track.state === "firing" && !declared.has(inst.condition));
}
