import { dirname, isAbsolute, join, resolve } from "node:path";
import { type ConfigError, loadConfigFile } from "../common/config/load.ts";
import { type SiteConfig, siteConfigSchema } from "../common/config/schema.ts";
import { defaultPolicy, type Inventory, type Policy, policySchema } from "./domain/index.ts";
import type { Template } from "./domain/inspections/index.ts";
import { loadTemplates } from "./inspections/templates.ts";
import { type NotificationsConfig, notificationsSchema } from "./paging/config.ts";

export interface CollectorSite {
  file: string;
  config: SiteConfig & { collector: NonNullable<SiteConfig["collector"]> };
  policy: Policy;
  inventory: Inventory;
  notifications?: NotificationsConfig;
  /** Inspection templates from the folder collector.inspections names (empty without one). */
  templates: Template[];
}

/** Loads the site config, the policy file it names (or the default policy) and the inventory. */
export function loadCollectorSite(
  file: string,
  opts: { requireCollector?: boolean } = {},
): { site?: CollectorSite; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, siteConfigSchema);
  if (!loaded.ok) return { errors: loaded.errors };
  const config = loaded.value;
  if (!config.collector && opts.requireCollector !== false)
    return {
      errors: [
        {
          file,
          path: "collector",
          message: "the collector section is required to run the collector (listen, agents)",
        },
      ],
    };
  let policy = { ...defaultPolicy, timezone: config.site.timezone };
  if (config.collector?.policy) {
    const policyFile = resolve(dirname(file), config.collector.policy);
    const p = loadConfigFile(policyFile, policySchema);
    if (!p.ok) return { errors: p.errors };
    policy = p.value;
  }
  let notifications: NotificationsConfig | undefined;
  if (config.collector?.notifications) {
    const n = loadConfigFile(resolve(dirname(file), config.collector.notifications), notificationsSchema);
    if (!n.ok) return { errors: n.errors };
    notifications = n.value;
  }
  let templates: Template[] = [];
  if (config.collector?.inspections) {
    const dir = config.collector.inspections;
    const t = loadTemplates(isAbsolute(dir) ? dir : join(dirname(file), dir), config);
    if (t.errors.length > 0) return { errors: t.errors };
    templates = t.templates;
  }
  const inventory: Inventory = {
    devices: Object.fromEntries(
      config.devices.map((d) => [
        d.id,
        { id: d.id, class: d.class, zone: d.zone, criticality: d.criticality, dependsOn: d.dependsOn },
      ]),
    ),
  };
  // Replay reads a site without a collector section: it needs only devices and the policy.
  const collector = config.collector ?? { listen: "127.0.0.1:8480", dataDir: "var/collector", agents: [] };
  return { site: { file, config: { ...config, collector }, policy, inventory, notifications, templates }, errors: [] };
}
