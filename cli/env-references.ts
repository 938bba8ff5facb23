import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { rawMapping } from "../common/config/load.ts";

/** A `${env:NAME}` secret reference whose variable is not set in this environment. */
export interface UnsetEnvReference {
  file: string;
  line: number;
  column: number;
  name: string;
}

/**
 * The `${env:NAME}` references with NAME unset, in a site config and the notifications file it names.
 * check-config reports them as warnings (the agent and collector get their variables from systemd's
 * EnvironmentFile, not from the shell of whoever checks the file) and checks the rest as if they
 * were set; the agent and collector themselves still refuse to start without them.
 */
export function unsetEnvReferences(siteFile: string, env: NodeJS.ProcessEnv = process.env): UnsetEnvReference[] {
  const files = [siteFile];
  try {
    const notifications = rawMapping(rawMapping(parse(readFileSync(siteFile, "utf8"))).collector).notifications;
    if (typeof notifications === "string") files.push(resolve(dirname(siteFile), notifications));
  } catch {
    // An unreadable or broken file is reported by the loaders.
  }
  const found: UnsetEnvReference[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    text.split("\n").forEach((line, i) => {
      if (/^\s*#/.test(line)) return;
      for (const m of line.matchAll(/\$\{env:([^}]+)\}/g))
        if (!env[m[1]!]) found.push({ file, line: i + 1, column: m.index + 1, name: m[1]! });
    });
  }
  return found;
}

/** The value an unset `${env:NAME}` secret reads as while withEnvStandIns runs. */
export const ENV_STAND_IN = "(unset: stand-in while reading the config)";

/**
 * Runs `read` with every unset `${env:NAME}` of the site config (and its notifications file) set to a
 * stand-in, then restores the environment: for the commands that read the config's settings but none
 * of its secrets (check-config, report verify). Returns what `read` returned and the references.
 */
export function withEnvStandIns<T>(siteFile: string, read: () => T): { value: T; unset: UnsetEnvReference[] } {
  const unset = unsetEnvReferences(siteFile);
  for (const u of unset) process.env[u.name] = ENV_STAND_IN;
  try {
    return { value: read(), unset };
  } finally {
    for (const u of unset) delete process.env[u.name];
  }
}
