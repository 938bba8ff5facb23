import { basename, dirname, resolve } from "node:path";
import { type ConfigError, formatPath, issuesToErrors, loadConfigFile, rawMapping } from "../common/config/load.ts";
import { didYouMean } from "../common/config/nearest.ts";
import { type DeviceConfig, type SiteConfig, siteConfigSchema } from "../common/config/schema.ts";
import { drivers } from "./drivers/registry.ts";
import { type LoadedProfile, loadProfiles } from "./profiles/load.ts";
import type { ProfileWatch } from "./profiles/watch.ts";

/** A device ready to poll: its config, validated driver options and profile. */
export interface PreparedDevice {
  config: DeviceConfig;
  options: unknown;
  profile: LoadedProfile;
  /** `profile: auto`: re-checks the device's identity every poll and composes its profile again. */
  watch?: ProfileWatch;
}

export interface LoadedSite {
  file: string;
  config: SiteConfig;
  devices: PreparedDevice[];
  profilesDir: string;
  profiles: Map<string, LoadedProfile>;
}

/**
 * Stands in for `profile: auto` until the SNMP driver has fingerprinted the device at start-up; it
 * reads only sysUpTime, so a device that could not be recognised still shows whether it answers.
 */
export function autoPlaceholder(): LoadedProfile {
  const source = { get: "1.3.6.1.2.1.1.3.0" };
  return {
    file: "(profile: auto)",
    sources: [source],
    profile: {
      id: "auto",
      origin: "placeholder until the device is fingerprinted (sysObjectID and probes)",
      driver: "snmp",
      include: [],
      readings: [{ name: "system_uptime_seconds", labels: {}, source, scale: 0.01, offset: 0 }],
      conditions: [],
    },
  };
}

type RawDevice = { driver?: unknown; options?: unknown; profile?: unknown };

/**
 * Loads a site config with everything the agent needs checked: the YAML schema, each device's driver
 * options and profile. Every error is collected in one pass: a document that fails the schema still has
 * its devices' options and profiles checked from the raw YAML.
 */
export function loadSite(file: string): { site?: LoadedSite; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, siteConfigSchema);
  if (!loaded.ok && !loaded.locate) return { errors: loaded.errors };
  const locate = loaded.locate!;
  const config = loaded.ok ? loaded.value : undefined;
  const raw = rawMapping(loaded.ok ? loaded.value : loaded.raw);
  const at = (path: (string | number)[], message: string): ConfigError => ({
    file,
    path: formatPath(path),
    ...locate(path),
    message,
  });
  const rawProfilesDir = rawMapping(raw.agent).profilesDir;
  const profilesDir = resolve(dirname(file), typeof rawProfilesDir === "string" ? rawProfilesDir : "profiles");
  const errors: ConfigError[] = loaded.ok ? [] : [...loaded.errors];
  const devices: PreparedDevice[] = [];
  const rawDevices: RawDevice[] = Array.isArray(raw.devices) ? (raw.devices as unknown[]).map(rawMapping) : [];
  const { profiles, errors: profileErrors } = rawDevices.length > 0 ? loadProfiles(profilesDir) : { profiles: new Map(), errors: [] };
  errors.push(...profileErrors);
  // A profile whose file has errors is not "unknown": its own errors already say what is wrong.
  const brokenProfiles = new Set(profileErrors.map((e) => basename(e.file).replace(/\.ya?ml$/, "")));
  rawDevices.forEach((device, i) => {
    const valid = config?.devices[i];
    if (typeof device.driver !== "string") return;
    const driver = drivers[device.driver];
    if (!driver) {
      errors.push(at(["devices", i, "driver"], `unknown driver ${device.driver}${didYouMean(device.driver, Object.keys(drivers))} (expected one of ${Object.keys(drivers).join(", ")})`));
      return;
    }
    const rawOptions = device.options ?? {};
    const options = driver.optionsSchema.safeParse(rawOptions);
    if (!options.success)
      errors.push(...issuesToErrors(file, options.error.issues, driver.optionsSchema, rawOptions, locate, ["devices", i, "options"]));
    if (typeof device.profile !== "string") return;
    if (device.profile === "auto") {
      if (device.driver !== "snmp") errors.push(at(["devices", i, "profile"], "profile auto works only with the snmp driver"));
      else if (options.success && valid) devices.push({ config: valid, options: options.data, profile: autoPlaceholder() });
      return;
    }
    const profile = profiles.get(device.profile);
    if (!profile) {
      if (!brokenProfiles.has(device.profile))
        errors.push(
          at(
            ["devices", i, "profile"],
            `unknown profile ${device.profile}${didYouMean(device.profile, profiles.keys())} (profiles in ${profilesDir}: ${[...profiles.keys()].join(", ") || "none"})`,
          ),
        );
      return;
    }
    if (profile.profile.driver !== device.driver)
      errors.push(at(["devices", i, "profile"], `profile ${device.profile} is for driver ${profile.profile.driver}, but the device uses ${device.driver}`));
    if (options.success && valid) devices.push({ config: valid, options: options.data, profile });
  });
  return errors.length || !config ? { errors } : { site: { file, config, devices, profilesDir, profiles }, errors };
}
