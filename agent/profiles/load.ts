import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type ConfigError, formatPath, loadConfigFile } from "../../common/config/load.ts";
import { drivers } from "../drivers/registry.ts";
import { type Profile, profileSchema } from "./schema.ts";

/** A profile whose sources were checked by its driver. */
export interface LoadedProfile {
  profile: Profile;
  file: string;
  sources: unknown[];
}

export function loadProfileFile(file: string): { profile?: LoadedProfile; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, profileSchema);
  if (!loaded.ok) return { errors: loaded.errors };
  const profile = loaded.value;
  const driver = drivers[profile.driver];
  if (!driver)
    return {
      errors: [
        { file, path: "driver", ...loaded.locate(["driver"]), message: `unknown driver ${profile.driver}; expected one of ${Object.keys(drivers).join(", ")}` },
      ],
    };
  const errors: ConfigError[] = [];
  const sources = profile.readings.map((reading, i) => {
    const parsed = driver.sourceSchema.safeParse(reading.source);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = ["readings", i, "source", ...(issue.path as (string | number)[])];
      errors.push({ file, path: formatPath(path), ...loaded.locate(path), message: issue.message });
    }
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
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    return { profiles, errors: [{ file: dir, path: "", message: `cannot read profiles folder (${(err as NodeJS.ErrnoException).code})` }] };
  }
  for (const name of files) {
    const file = join(dir, name);
    const res = loadProfileFile(file);
    errors.push(...res.errors);
    if (!res.profile) continue;
    const existing = profiles.get(res.profile.profile.id);
    if (existing) errors.push({ file, path: "id", message: `profile id ${res.profile.profile.id} is also used by ${existing.file}` });
    else profiles.set(res.profile.profile.id, res.profile);
  }
  return { profiles, errors };
}
