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
  return errors.length ? { errors } : { site: { file, config, devices, profilesDir }, errors };
}
