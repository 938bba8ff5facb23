import type { Logger } from "pino";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { appliedIds, type LoadedProfile } from "../../profiles/load.ts";
import type { Profile } from "../../profiles/schema.ts";
import type { RawRead } from "../types.ts";
import type { ProfileWatch, Reprobe, ReprobeReason } from "../../profiles/watch.ts";
import { autoPlaceholder, type PreparedDevice } from "../../site.ts";
import { snmp } from "./netsnmp.ts";
import { type SnmpOptions, snmpSourceSchema } from "./options.ts";
import { openNetSnmp, Requester } from "./session.ts";

const SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0";
const SYS_UP_TIME = "1.3.6.1.2.1.1.3.0";
const strip = (oid: string) => oid.replace(/^\./, "");
const under = (oid: string, prefix: string) => oid === prefix || oid.startsWith(`${prefix}.`);

/** What a device showed of itself: its sysObjectID and which probe subtrees answered. */
export interface Fingerprint {
  sysObjectID?: string;
  /** sysUpTime in hundredths of a second, when the device gave it. */
  sysUpTime?: number;
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

/** What `profile: auto` applies to a device: the vendor profile (if any) and the standard MIBs that answered. */
export interface Composition {
  vendor?: Profile;
  standards: Profile[];
}

/**
 * `profile: auto` composes: the vendor profile chosen among the non-standard ones (sysObjectID, probes,
 * priority, as `chooseProfile`), plus every standard MIB profile (`detect.standard`) whose probes all
 * answered, highest priority first. Pure.
 */
export function composeFor(fp: Fingerprint, profiles: readonly Profile[]): Composition {
  const vendor = chooseProfile(
    fp,
    profiles.filter((p) => !p.detect?.standard),
  );
  const standards = profiles
    .filter((p) => p.driver === "snmp" && p.detect?.standard)
    .filter((p) => (p.detect?.probe ?? []).every((o) => fp.answered.has(strip(o))))
    .sort((a, b) => (b.detect?.priority ?? 0) - (a.detect?.priority ?? 0) || a.id.localeCompare(b.id));
  return { vendor, standards };
}

/**
 * One loaded profile from a composition. A standard profile already included by an earlier one is not
 * added twice; from a standard profile, a reading whose name an earlier profile already reads, a
 * condition whose name it already declares and a trap it already maps are left out: the vendor's
 * reading of the same quantity wins. Undefined when nothing was recognised.
 */
export function composeLoaded(
  c: Composition,
  all: ReadonlyMap<string, LoadedProfile>,
): LoadedProfile | undefined {
  const parts = [c.vendor, ...c.standards].filter((p): p is Profile => Boolean(p));
  const first = parts[0] ? all.get(parts[0].id) : undefined;
  if (!first) return undefined;
  const applied: string[] = [];
  const merged: LoadedProfile = {
    file: first.file,
    sources: [],
    profile: { ...first.profile, readings: [], conditions: [], traps: [] },
    applied,
  };
  for (const part of parts) {
    const loaded = all.get(part.id);
    if (!loaded || applied.includes(part.id)) continue;
    const isFirst = applied.length === 0;
    const names = new Set(merged.profile.readings.map((r) => r.name));
    const conditions = new Set(merged.profile.conditions.map((x) => x.name));
    const traps = new Set((merged.profile.traps ?? []).map((t) => JSON.stringify(t)));
    loaded.profile.readings.forEach((r, i) => {
      if (!isFirst && names.has(r.name)) return;
      merged.profile.readings.push(r);
      merged.sources.push(loaded.sources[i]);
    });
    for (const x of loaded.profile.conditions)
      if (isFirst || !conditions.has(x.name)) merged.profile.conditions.push(x);
    for (const t of loaded.profile.traps ?? [])
      if (!traps.has(JSON.stringify(t))) merged.profile.traps!.push(t);
    for (const id of appliedIds(loaded, all)) if (!applied.includes(id)) applied.push(id);
  }
  merged.profile.id = `auto:${applied.join("+")}`;
  return merged;
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
    const [vb, up] = await req.get([SYS_OBJECT_ID, SYS_UP_TIME]);
    const sysObjectID = vb && !snmp.isVarbindError(vb) ? String(vb.value) : undefined;
    const sysUpTime = up && !snmp.isVarbindError(up) && typeof up.value === "number" ? up.value : undefined;
    const answered = new Set<string>();
    for (let i = 0; i < probes.length; i += options.maxVarbinds) {
      const chunk = probes.slice(i, i + options.maxVarbinds);
      const lists = await req.bulk(chunk, 1);
      chunk.forEach((probe, j) => {
        const next = lists[j]?.[0];
        if (next && !snmp.isVarbindError(next) && under(strip(next.oid), probe)) answered.add(probe);
      });
    }
    return { sysObjectID, sysUpTime, answered };
  } finally {
    net.close();
  }
}

/** `profile: auto` for one device: fingerprint it and compose what answers. */
export async function detectProfile(
  device: DeviceConfig,
  options: SnmpOptions,
  profiles: readonly Profile[],
): Promise<Composition> {
  return composeFor(await fingerprint(device, options, probesOf(profiles)), profiles);
}

/** What a device says of itself with every poll: which device it is, and how long it has been up. */
export interface Identity {
  sysObjectID?: string;
  /** sysUpTime, hundredths of a second (TimeTicks: wraps at 2^32, after 497 days). */
  sysUpTime?: number;
  /** When it was read (ms, the agent's clock). */
  at: number;
}

const TICKS_WRAP = 2 ** 32;

/**
 * Whether a device must be probed again, and why: it was never fingerprinted (the start-up probe got no
 * answer), its sysObjectID changed (replaced, or a firmware that reports another model), or its
 * sysUpTime went backwards (a restart: a firmware upgrade may bring or drop MIBs). A sysUpTime that went
 * backwards only because TimeTicks wrapped at 2^32 is not a restart. Pure.
 */
export function reprobeReason(prev: Identity | undefined, now: Identity): ReprobeReason | undefined {
  if (now.sysObjectID === undefined) return undefined;
  if (!prev?.sysObjectID) return "unprobed";
  if (strip(prev.sysObjectID) !== strip(now.sysObjectID)) return "sysobjectid";
  if (prev.sysUpTime === undefined || now.sysUpTime === undefined || now.sysUpTime >= prev.sysUpTime)
    return undefined;
  const expected = prev.sysUpTime + Math.max(0, now.at - prev.at) / 10;
  const wrapped = expected >= TICKS_WRAP && now.sysUpTime <= expected - TICKS_WRAP + 6000;
  return wrapped ? undefined : "restart";
}

/** sysObjectID and sysUpTime, read with every poll of a `profile: auto` device (they ride its first request). */
const IDENTITY_SOURCES: unknown[] = [
  snmpSourceSchema.parse({ get: SYS_OBJECT_ID }),
  snmpSourceSchema.parse({ get: SYS_UP_TIME }),
];

function identityOf(reads: readonly RawRead[], at: number): Identity {
  const value = (r: RawRead | undefined) => (r?.ok ? r.samples[0]?.value : undefined);
  const id = value(reads[0]);
  const up = value(reads[1]);
  return {
    sysObjectID: typeof id === "string" && id !== "" ? id : undefined,
    sysUpTime: typeof up === "number" ? up : undefined,
    at,
  };
}

/**
 * Watches one `profile: auto` device and composes its profile again when the device changed. The new
 * profile is set on the device by the probe itself, and the change waits in `takeChange` until a poll
 * reports it: a poll cut off by its timeout while the probe runs loses neither.
 */
class AutoProfileWatch implements ProfileWatch {
  readonly sources = IDENTITY_SOURCES;
  private last?: Identity;
  private probing?: Promise<void>;
  private unreported?: Reprobe;
  /** A re-probe failed and none has succeeded since (the streak is logged once). */
  private failing = false;

  constructor(
    private device: PreparedDevice,
    private profiles: ReadonlyMap<string, LoadedProfile>,
    private now: () => number,
    private logger: ProbeLogger | undefined,
    initial?: Fingerprint,
  ) {
    if (initial?.sysObjectID)
      this.last = { sysObjectID: initial.sysObjectID, sysUpTime: initial.sysUpTime, at: now() };
  }

  check(reads: readonly RawRead[]): Promise<void> {
    if (this.probing) return this.probing;
    const now = identityOf(reads, this.now());
    const reason = reprobeReason(this.last, now);
    if (!reason) {
      if (now.sysObjectID !== undefined) this.last = now;
      return Promise.resolve();
    }
    // A probe that fails (the device stopped answering meanwhile) does not fail the poll, which read
    // the device already: `last` stays, so the next poll probes again. Logged once per streak, not
    // with every poll that retries.
    this.probing = this.probe(reason, now)
      .then(
        () => {
          this.failing = false;
        },
        (err: unknown) => {
          if (this.failing) return;
          this.failing = true;
          this.logger?.warn(
            { device: this.device.config.id, reason, error: err instanceof Error ? err.message : String(err) },
            "profile: auto re-probe failed; retried at every poll",
          );
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  takeChange(): Reprobe | undefined {
    const change = this.unreported;
    this.unreported = undefined;
    return change;
  }

  /** `last` moves on only once the probe answered: a probe that fails is tried again at the next poll. */
  private async probe(reason: ReprobeReason, now: Identity): Promise<void> {
    const all = [...this.profiles.values()].map((p) => p.profile);
    const fp = await fingerprint(this.device.config, this.device.options as SnmpOptions, probesOf(all));
    const from = appliedIds(this.device.profile, this.profiles);
    const profile = composeLoaded(composeFor(fp, all), this.profiles) ?? autoPlaceholder();
    const to = appliedIds(profile, this.profiles);
    const before = this.last;
    this.last = {
      sysObjectID: fp.sysObjectID ?? now.sysObjectID,
      sysUpTime: fp.sysUpTime ?? now.sysUpTime,
      at: now.at,
    };
    // Same profiles (a restart that changed nothing): the device keeps the profile it is read with.
    if (from.join("+") !== to.join("+")) this.device.profile = profile;
    this.unreported = {
      reason,
      from,
      to,
      detail: {
        sysObjectID: `${before?.sysObjectID ?? "?"} → ${this.last.sysObjectID}`,
        sysUpTime: `${before?.sysUpTime ?? "?"} → ${this.last.sysUpTime ?? "?"}`,
      },
    };
  }
}

/** Where a failed re-probe is reported. */
export type ProbeLogger = Pick<Logger, "warn">;

/**
 * Resolves `profile: auto` for every SNMP device whose config says so, in place, before the agent starts
 * (the site loader must let `auto` through with a placeholder), and gives each a watch: every poll reads
 * sysObjectID and sysUpTime, and a device that was replaced, restarted or never recognised is probed and
 * composed again. Returns one message per device that could not be recognised (it keeps its placeholder
 * until a later poll recognises it). A re-probe that fails is logged to `logger` at warn, once per streak.
 */
export async function resolveAutoProfiles(
  devices: readonly PreparedDevice[],
  profiles: ReadonlyMap<string, LoadedProfile>,
  now: () => number = Date.now,
  logger?: ProbeLogger,
): Promise<string[]> {
  const all = [...profiles.values()].map((p) => p.profile);
  const problems: string[] = [];
  await Promise.all(
    devices
      .filter((d) => d.config.driver === "snmp" && d.config.profile === "auto")
      .map(async (d) => {
        let fp: Fingerprint | undefined;
        try {
          fp = await fingerprint(d.config, d.options as SnmpOptions, probesOf(all));
          const loaded = composeLoaded(composeFor(fp, all), profiles);
          if (loaded) d.profile = loaded;
          else
            problems.push(
              `${d.config.id}: profile auto: no vendor profile matches its sysObjectID and no standard MIB (IF-MIB, UPS-MIB, HOST-RESOURCES, ENTITY-SENSOR) answers; only sysUpTime is read (set a profile by name)`,
            );
        } catch (err) {
          problems.push(`${d.config.id}: profile auto: ${(err as Error).message}`);
        }
        d.watch = new AutoProfileWatch(d, profiles, now, logger, fp);
      }),
  );
  return problems;
}
