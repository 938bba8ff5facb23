/**
 * Loads the inspection templates of a site: every *.yaml in the folder `collector.inspections`
 * names, each validated with the domain's schema and checked against the site (devices, zones).
 * Errors carry FILE:LINE:COL and the YAML path, like every other config error.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type ConfigError, loadConfigFile, type Locate } from "../../common/config/load.ts";
import type { SiteConfig } from "../../common/config/schema.ts";
import { type Template, templateSchema } from "../domain/inspections/index.ts";

export interface LoadedTemplates {
  templates: Template[];
  /** Template id → its file (for messages). */
  files: Record<string, string>;
  errors: ConfigError[];
}

export function loadTemplates(dir: string, site: Pick<SiteConfig, "devices" | "zones">): LoadedTemplates {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .sort();
  } catch (err) {
    return {
      templates: [],
      files: {},
      errors: [{ file: dir, path: "", message: `cannot read the inspections folder (${(err as NodeJS.ErrnoException).code})` }],
    };
  }
  const out: LoadedTemplates = { templates: [], files: {}, errors: [] };
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const loaded = loadConfigFile(file, templateSchema);
    if (!loaded.ok) {
      out.errors.push(...loaded.errors);
      continue;
    }
    const t = loaded.value;
    const errors = siteErrors(t, site, file, loaded.locate);
    const other = seen.get(t.id);
    if (other) errors.push({ file, path: "id", ...loaded.locate(["id"]), message: `template id ${t.id} is already used by ${other}` });
    else seen.set(t.id, file);
    out.errors.push(...errors);
    if (errors.length === 0) {
      out.templates.push(t);
      out.files[t.id] = file;
    }
  }
  return out;
}

/** References a template makes to the site: devices (prefill, faults) and zones must exist. */
function siteErrors(t: Template, site: Pick<SiteConfig, "devices" | "zones">, file: string, locate: Locate): ConfigError[] {
  const devices = new Set(site.devices.map((d) => d.id));
  const zones = new Set(site.zones.map((z) => z.id));
  const errors: ConfigError[] = [];
  const err = (path: Array<string | number>, message: string) =>
    errors.push({ file, path: path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join(""), ...locate(path), message });
  const known = (d: string) => devices.has(d);
  const list = [...devices].join(", ") || "(no devices declared)";
  t.stops.forEach((s, i) => {
    if (s.device !== undefined && !known(s.device)) err(["stops", i, "device"], `unknown device ${s.device}; expected one of: ${list}`);
    if (s.zone !== undefined && zones.size > 0 && !zones.has(s.zone))
      err(["stops", i, "zone"], `unknown zone ${s.zone}; expected one of: ${[...zones].join(", ")}`);
    s.items.forEach((item, j) => {
      if (item.kind === "reading" && item.prefill && !known(item.prefill.device))
        err(["stops", i, "items", j, "prefill", "device"], `unknown device ${item.prefill.device}; expected one of: ${list}`);
      const on = "onAbnormal" in item ? item.onAbnormal : undefined;
      if (on?.device !== undefined && !known(on.device))
        err(["stops", i, "items", j, "onAbnormal", "device"], `unknown device ${on.device}; expected one of: ${list}`);
    });
  });
  return errors;
}
