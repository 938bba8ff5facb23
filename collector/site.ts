import { dirname, resolve } from "node:path";
import { type ConfigError, loadConfigFile } from "../common/config/load.ts";
import { type SiteConfig, siteConfigSchema } from "../common/config/schema.ts";
import { defaultPolicy, type Inventory, type Policy, policySchema } from "./domain/index.ts";

export interface CollectorSite {
  file: string;
  config: SiteConfig & { collector: NonNullable<SiteConfig["collector"]> };
  policy: Policy;
  inventory: Inventory;
}

/** Loads the site config, the policy file it names (or the default policy) and the inventory. */
export function loadCollectorSite(file: string): { site?: CollectorSite; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, siteConfigSchema);
  if (!loaded.ok) return { errors: loaded.errors };
  const config = loaded.value;
  if (!config.collector)
    return { errors: [{ file, path: "collector", message: "the collector section is required to run the collector (listen, agents)" }] };
  let policy = { ...defaultPolicy, timezone: config.site.timezone };
  if (config.collector.policy) {
    const policyFile = resolve(dirname(file), config.collector.policy);
    const p = loadConfigFile(policyFile, policySchema);
    if (!p.ok) return { errors: p.errors };
    policy = p.value;
  }
  const inventory: Inventory = {
    devices: Object.fromEntries(
      config.devices.map((d) => [d.id, { id: d.id, class: d.class, zone: d.zone, criticality: d.criticality, dependsOn: d.dependsOn }]),
    ),
  };
  return { site: { file, config: { ...config, collector: config.collector }, policy, inventory }, errors: [] };
}
