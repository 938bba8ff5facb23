import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type ConfigError, formatPath, issuesToErrors, loadConfigFile } from "../../common/config/load.ts";
import { drivers } from "../drivers/registry.ts";
import { isLabelName, LABEL_NAME_RULE, type Profile, profileSchema } from "./schema.ts";

/** A profile whose sources were checked by its driver. */
export interface LoadedProfile {
  profile: Profile;
  file: string;
  sources: unknown[];
  /**
   * The profiles this one is made of, in order: its own id and every profile it includes (transitively),
   * or, for `profile: auto`, the vendor profile and each standard MIB profile that answered. Exported as
   * `watchfloor_device_profile_info` and printed by `--once`.
   */
  applied?: string[];
}

/** The ids a loaded profile is made of (itself and its includes, transitively), first the profile itself. */
export function appliedIds(p: LoadedProfile, all: ReadonlyMap<string, LoadedProfile>): string[] {
  if (p.applied) return p.applied;
  const out: string[] = [];
  const visit = (id: string) => {
    if (out.includes(id)) return;
    out.push(id);
    for (const inc of all.get(id)?.profile.include ?? []) visit(inc);
  };
  visit(p.profile.id);
  return out;
}

export function loadProfileFile(file: string): { profile?: LoadedProfile; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, profileSchema);
  if (!loaded.ok) return { errors: loaded.errors };
  const profile = loaded.value;
  const driver = drivers[profile.driver];
  if (!driver)
    return {
      errors: [
        {
          file,
          path: "driver",
          ...loaded.locate(["driver"]),
          message: `unknown driver ${profile.driver}; expected one of ${Object.keys(drivers).join(", ")}`,
        },
      ],
    };
  const errors: ConfigError[] = [];
  const sources = profile.readings.map((reading, i) => {
    const parsed = driver.sourceSchema.safeParse(reading.source);
    if (parsed.success) {
      // Labels a source derives (an SNMP walk's {ifname: …}) reach /metrics like the reading's own.
      const derived = (parsed.data as { labels?: unknown }).labels;
      const bad = derived && typeof derived === "object" ? Object.keys(derived).filter((k) => !isLabelName(k)) : [];
      for (const name of bad) {
        const path = ["readings", i, "source", "labels", name];
        errors.push({ file, path: formatPath(path), ...loaded.locate(path), message: `${LABEL_NAME_RULE} (got "${name}")` });
      }
      return parsed.data;
    }
    errors.push(...issuesToErrors(file, parsed.error.issues, driver.sourceSchema, reading.source, loaded.locate, ["readings", i, "source"]));
    return undefined;
  });
  return errors.length ? { errors } : { profile: { profile, file, sources }, errors };
}

/** Loads every *.yaml in a folder; profiles are keyed by their `id`. */
export function loadProfiles(dir: string): { profiles: Map<string, LoadedProfile>; errors: ConfigError[] } {
  const profiles = new Map<string, LoadedProfile>();
  const errors: ConfigError[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (err) {
    return {
      profiles,
      errors: [
        {
          file: dir,
          path: "",
          message: `cannot read profiles folder (${(err as NodeJS.ErrnoException).code})`,
        },
      ],
    };
  }
  for (const name of files) {
    const file = join(dir, name);
    const res = loadProfileFile(file);
    errors.push(...res.errors);
    if (!res.profile) continue;
    const existing = profiles.get(res.profile.profile.id);
    if (existing)
      errors.push({
        file,
        path: "id",
        message: `profile id ${res.profile.profile.id} is also used by ${existing.file}`,
      });
    else profiles.set(res.profile.profile.id, res.profile);
  }
  const resolved = new Map<string, LoadedProfile>();
  for (const id of profiles.keys()) {
    const r = resolveIncludes(id, profiles, resolved, []);
    if ("error" in r) errors.push(r.error);
  }
  for (const [id, p] of resolved)
    if (p.profile.readings.length === 0)
      errors.push({
        file: p.file,
        path: "readings",
        message: `profile ${id} has no readings (none of its own, none included)`,
      });
  return { profiles: errors.length ? profiles : resolved, errors };
}

/**
 * A profile with its `include`s expanded: the included profiles' readings (with their checked
 * sources), conditions and traps first, then its own. Unknown ids, another driver and cycles are errors.
 */
function resolveIncludes(
  id: string,
  raw: Map<string, LoadedProfile>,
  done: Map<string, LoadedProfile>,
  chain: string[],
): LoadedProfile | { error: ConfigError } {
  const ready = done.get(id);
  if (ready) return ready;
  const own = raw.get(id)!;
  const merged: LoadedProfile = {
    ...own,
    profile: { ...own.profile, readings: [], conditions: [], traps: [] },
    sources: [],
  };
  const add = (p: LoadedProfile) => {
    merged.profile.readings.push(...p.profile.readings);
    merged.sources.push(...p.sources);
    merged.profile.conditions.push(...p.profile.conditions);
    merged.profile.traps!.push(...(p.profile.traps ?? []));
  };
  for (const [i, inc] of own.profile.include.entries()) {
    const at = { file: own.file, path: formatPath(["include", i]) };
    if (chain.includes(inc) || inc === id)
      return { error: { ...at, message: `include cycle: ${[...chain, id, inc].join(" → ")}` } };
    const target = raw.get(inc);
    if (!target)
      return {
        error: { ...at, message: `unknown profile ${inc}; expected the id of a profile in this folder` },
      };
    if (target.profile.driver !== own.profile.driver)
      return {
        error: {
          ...at,
          message: `profile ${inc} is for driver ${target.profile.driver}, this one for ${own.profile.driver}`,
        },
      };
    const r = resolveIncludes(inc, raw, done, [...chain, id]);
    if ("error" in r) return r;
    add(r);
  }
  add(own);
  if (merged.profile.traps!.length === 0) merged.profile.traps = own.profile.traps;
  done.set(id, merged);
  return merged;
}
