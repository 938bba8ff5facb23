import { dirname, resolve } from "node:path";
import { type ConfigError, formatPath, loadConfigFile } from "../common/config/load.ts";
import { type DeviceConfig, type SiteConfig, siteConfigSchema } from "../common/config/schema.ts";
import { drivers } from "./drivers/registry.ts";
import { type LoadedProfile, loadProfiles } from "./profiles/load.ts";

/** A device ready to poll: its config, validated driver options and profile. */
export interface PreparedDevice {
  config: DeviceConfig;
  options: unknown;
  profile: LoadedProfile;
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
function autoPlaceholder(): LoadedProfile {
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

/**
 * Loads a site config with everything the agent needs checked: the YAML schema, each device's driver
 * options and profile. Every error is collected, none stops the others from being found.
 */
export function loadSite(file: string): { site?: LoadedSite; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, siteConfigSchema);
  if (!loaded.ok) return { errors: loaded.errors };
  const config = loaded.value;
  const at = (path: (string | number)[], message: string): ConfigError => ({
    file,
    path: formatPath(path),
    ...loaded.locate(path),
    message,
  });
  const profilesDir = resolve(dirname(file), config.agent?.profilesDir ?? "profiles");
  const errors: ConfigError[] = [];
  const devices: PreparedDevice[] = [];
  const needsProfiles = config.devices.length > 0;
  const { profiles, errors: profileErrors } = needsProfiles ? loadProfiles(profilesDir) : { profiles: new Map(), errors: [] };
  errors.push(...profileErrors);
  config.devices.forEach((device, i) => {
    const driver = drivers[device.driver];
    if (!driver) {
      errors.push(at(["devices", i, "driver"], `unknown driver ${device.driver}; expected one of ${Object.keys(drivers).join(", ")}`));
      return;
    }
    const options = driver.optionsSchema.safeParse(device.options);
    if (!options.success)
      for (const issue of options.error.issues)
        errors.push(at(["devices", i, "options", ...(issue.path as (string | number)[])], issue.message));
    if (device.profile === "auto") {
      if (device.driver !== "snmp") errors.push(at(["devices", i, "profile"], "profile auto works only with the snmp driver"));
      else if (options.success) devices.push({ config: device, options: options.data, profile: autoPlaceholder() });
      return;
    }
    const profile = profiles.get(device.profile);
    if (!profile) {
      if (profileErrors.length === 0)
        errors.push(at(["devices", i, "profile"], `unknown profile ${device.profile}; profiles in ${profilesDir}: ${[...profiles.keys()].join(", ") || "(none)"}`));
      return;
    }
    if (profile.profile.driver !== device.driver)
      errors.push(at(["devices", i, "profile"], `profile ${device.profile} is for driver ${profile.profile.driver}, but the device uses ${device.driver}`));
    if (options.success) devices.push({ config: device, options: options.data, profile });
  });
  return errors.length ? { errors } : { site: { file, config, devices, profilesDir, profiles }, errors };
}
