import { dirname, isAbsolute, join, resolve } from "node:path";
import { type ConfigError, loadConfigFile, rawMapping } from "../common/config/load.ts";
import { type SiteConfig, siteConfigSchema } from "../common/config/schema.ts";
import { defaultPolicy, type Inventory, type Policy, policySchema } from "./domain/index.ts";
import type { Template } from "./domain/inspections/index.ts";
import { loadTemplates } from "./inspections/templates.ts";
import { type NotificationsConfig, notificationsSchema } from "./paging/config.ts";
import { type CollectorTls, loadCollectorTls } from "./tls.ts";

export interface CollectorSite {
  file: string;
  config: SiteConfig & { collector: NonNullable<SiteConfig["collector"]> };
  policy: Policy;
  inventory: Inventory;
  notifications?: NotificationsConfig;
  /** Inspection templates from the folder collector.inspections names (empty without one). */
  templates: Template[];
  /** collector.tls read and checked: the collector serves HTTPS. */
  tls?: CollectorTls;
}

function isTimeZone(zone: string): boolean {
  try {
    Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Loads the site config, the policy file it names (or the default policy) and the inventory. */
export function loadCollectorSite(
  file: string,
  opts: { requireCollector?: boolean } = {},
): { site?: CollectorSite; errors: ConfigError[] } {
  const loaded = loadConfigFile(file, siteConfigSchema);
  if (!loaded.ok && !loaded.locate) return { errors: loaded.errors };
  // Every error in one pass: a site that fails its schema still has the files it names checked.
  const errors: ConfigError[] = loaded.ok ? [] : [...loaded.errors];
  const raw = rawMapping(loaded.ok ? loaded.value : loaded.raw);
  const rawCollector = rawMapping(raw.collector);
  if (raw.collector === undefined && opts.requireCollector !== false)
    errors.push({
      file,
      path: "collector",
      message: "the collector section is required to run the collector (listen, agents)",
    });
  const rawSite = rawMapping(raw.site);
  // Checked here, not in the shared schema: asking ICU about a zone maps ~6 MB of its data into the
  // process, which the agent (it never reads the site's zone) is spared.
  if (typeof rawSite.timezone === "string" && !isTimeZone(rawSite.timezone))
    errors.push({
      file,
      path: "site.timezone",
      ...loaded.locate?.(["site", "timezone"]),
      message: "expected an IANA time zone such as Asia/Shanghai",
    });
  let policy: Policy = { ...defaultPolicy, timezone: typeof rawSite.timezone === "string" ? rawSite.timezone : defaultPolicy.timezone };
  if (typeof rawCollector.policy === "string") {
    const p = loadConfigFile(resolve(dirname(file), rawCollector.policy), policySchema);
    if (p.ok) policy = p.value;
    else errors.push(...p.errors);
  }
  let notifications: NotificationsConfig | undefined;
  if (typeof rawCollector.notifications === "string") {
    const n = loadConfigFile(resolve(dirname(file), rawCollector.notifications), notificationsSchema);
    if (n.ok) notifications = n.value;
    else errors.push(...n.errors);
  }
  let templates: Template[] = [];
  // Templates are checked against the site (zones, devices), so only once the site itself is valid.
  if (loaded.ok && typeof rawCollector.inspections === "string") {
    const dir = rawCollector.inspections;
    const t = loadTemplates(isAbsolute(dir) ? dir : join(dirname(file), dir), loaded.value);
    errors.push(...t.errors);
    templates = t.templates;
  }
  let tls: CollectorTls | undefined;
  const rawTls = rawMapping(rawCollector.tls);
  if (typeof rawTls.cert === "string" && typeof rawTls.key === "string" && loaded.locate) {
    const t = loadCollectorTls(file, { cert: rawTls.cert, key: rawTls.key }, loaded.locate);
    errors.push(...t.errors);
    tls = t.tls;
  }
  if (!loaded.ok || errors.length > 0) return { errors };
  const config = loaded.value;
  const inventory: Inventory = {
    devices: Object.fromEntries(
      config.devices.map((d) => [
        d.id,
        {
          id: d.id,
          class: d.class,
          zone: d.zone,
          criticality: d.criticality,
          dependsOn: d.dependsOn,
          name: d.name,
          zoneName: config.zones.find((z) => z.id === d.zone)?.name,
        },
      ]),
    ),
  };
  // Replay reads a site without a collector section: it needs only devices and the policy.
  const collector = config.collector ?? {
    listen: "127.0.0.1:8480",
    dataDir: "var/collector",
    store: { kind: "sqlite" as const },
    agents: [],
    trustProxy: false,
    badTokenLimit: { max: 30, window: 60 },
    agentMetrics: [],
    retention: { events: 30 * 86400, heartbeats: 86400 },
    ingest: { clockSkewSeconds: 60, maxEventAgeSeconds: 30 * 86400 },
  };
  return {
    site: { file, config: { ...config, collector }, policy, inventory, notifications, templates, tls },
    errors: [],
  };
}
