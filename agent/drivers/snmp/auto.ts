import type { DeviceConfig } from "../../../common/config/schema.ts";
import type { LoadedProfile } from "../../profiles/load.ts";
import type { Profile } from "../../profiles/schema.ts";
import type { PreparedDevice } from "../../site.ts";
import { snmp } from "./netsnmp.ts";
import type { SnmpOptions } from "./options.ts";
import { openNetSnmp, Requester } from "./session.ts";

const SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0";
const strip = (oid: string) => oid.replace(/^\./, "");
const under = (oid: string, prefix: string) => oid === prefix || oid.startsWith(`${prefix}.`);

/** What a device showed of itself: its sysObjectID and which probe subtrees answered. */
export interface Fingerprint {
  sysObjectID?: string;
  answered: ReadonlySet<string>;
}

/**
 * Picks the profile for a device (`profile: auto`), from each profile's `detect` section: a profile
 * matches when its sysObjectID prefix (if any) matches and all its probes answered. A sysObjectID match
 * wins over a probe-only one, the longest prefix first; then the higher priority. Pure.
 */
export function chooseProfile(fp: Fingerprint, profiles: readonly Profile[]): Profile | undefined {
  const id = fp.sysObjectID ? strip(fp.sysObjectID) : undefined;
  let best: { profile: Profile; prefix: number; priority: number } | undefined;
  for (const profile of profiles) {
    const d = profile.detect;
    if (profile.driver !== "snmp" || !d || (!d.sysObjectID?.length && !d.probe?.length)) continue;
    const prefixes = (d.sysObjectID ?? []).map(strip);
    const prefix = prefixes.length
      ? Math.max(-1, ...prefixes.filter((p) => id && under(id, p)).map((p) => p.length))
      : 0;
    if (prefix < 0) continue;
    if (!(d.probe ?? []).every((p) => fp.answered.has(strip(p)))) continue;
    const better = !best || prefix > best.prefix || (prefix === best.prefix && d.priority > best.priority);
    if (better) best = { profile, prefix, priority: d.priority };
  }
  return best?.profile;
}

/** Every probe OID the profiles ask about. */
export function probesOf(profiles: readonly Profile[]): string[] {
  return [
    ...new Set(profiles.flatMap((p) => (p.driver === "snmp" ? (p.detect?.probe ?? []) : [])).map(strip)),
  ];
}

/** Asks the device for its sysObjectID and, with one GetNext each, whether each probe subtree exists. */
export async function fingerprint(
  device: DeviceConfig,
  options: SnmpOptions,
  probes: readonly string[],
): Promise<Fingerprint> {
  const net = openNetSnmp(device, options);
  const req = new Requester(net, device, options);
  try {
    const [vb] = await req.get([SYS_OBJECT_ID]);
    const sysObjectID = vb && !snmp.isVarbindError(vb) ? String(vb.value) : undefined;
    const answered = new Set<string>();
    for (let i = 0; i < probes.length; i += options.maxVarbinds) {
      const chunk = probes.slice(i, i + options.maxVarbinds);
      const lists = await req.bulk(chunk, 1);
      chunk.forEach((probe, j) => {
        const next = lists[j]?.[0];
        if (next && !snmp.isVarbindError(next) && under(strip(next.oid), probe)) answered.add(probe);
      });
    }
    return { sysObjectID, answered };
  } finally {
    net.close();
  }
}

/** `profile: auto` for one device: fingerprint it and choose; undefined when nothing matches. */
export async function detectProfile(
  device: DeviceConfig,
  options: SnmpOptions,
  profiles: readonly Profile[],
): Promise<Profile | undefined> {
  return chooseProfile(await fingerprint(device, options, probesOf(profiles)), profiles);
}

/**
 * Resolves `profile: auto` for every SNMP device whose config says so, in place, before the agent starts
 * (the site loader must let `auto` through with a placeholder). Returns one message per device that
 * could not be recognised (it keeps its placeholder).
 */
export async function resolveAutoProfiles(
  devices: readonly PreparedDevice[],
  profiles: ReadonlyMap<string, LoadedProfile>,
): Promise<string[]> {
  const all = [...profiles.values()].map((p) => p.profile);
  const problems: string[] = [];
  await Promise.all(
    devices
      .filter((d) => d.config.driver === "snmp" && d.config.profile === "auto")
      .map(async (d) => {
        try {
          const chosen = await detectProfile(d.config, d.options as SnmpOptions, all);
          const loaded = chosen ? profiles.get(chosen.id) : undefined;
          if (loaded) d.profile = loaded;
          else
            problems.push(`${d.config.id}: profile auto: no profile matches this device (set one by name)`);
        } catch (err) {
          problems.push(`${d.config.id}: profile auto: ${(err as Error).message}`);
        }
      }),
  );
  return problems;
}
