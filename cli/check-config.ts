import { formatConfigError } from "../common/config/load.ts";
import { loadSite } from "../agent/site.ts";
import { loadCollectorSite } from "../collector/site.ts";
import { dirname, resolve } from "node:path";
import { withEnvStandIns } from "./env-references.ts";
import { rosterCoverageGaps, rosterCoverageWarnings } from "./roster-coverage.ts";

/** watchfloor check-config FILE: every error with file, line, YAML path and what was expected. */
export async function runCheckConfig(args: string[]): Promise<number> {
  const [file] = args;
  if (!file || args.length > 1) {
    process.stderr.write("usage: watchfloor check-config FILE\n");
    return 2;
  }
  // Unset ${env:…} secrets are warnings here: the loaders below see a stand-in value for them.
  const {
    value: { site, agentErrors, collectorSite },
    unset,
  } = withEnvStandIns(file, () => {
    const { site, errors: agentErrors } = loadSite(file);
    // The files a collector section names (policy, notifications, inspections) are checked too, even when
    // the site itself has errors; the site's own errors, found by both loaders, are printed once.
    return { site, agentErrors, collectorSite: loadCollectorSite(file, { requireCollector: false }) };
  });
  const seen = new Set(agentErrors.map(formatConfigError));
  const collectorErrors = collectorSite.errors.filter((e) => !seen.has(formatConfigError(e)));
  const templates = collectorSite.site?.templates.length ?? 0;
  for (const u of unset)
    process.stderr.write(
      `${u.file}:${u.line}:${u.column}: warning: environment variable ${u.name} is not set in this shell; the agent or collector that uses it refuses to start without it\n`,
    );
  const errors = [...agentErrors, ...collectorErrors];
  if (!site || errors.length > 0) {
    for (const e of errors) process.stderr.write(`${formatConfigError(e)}\n`);
    process.stderr.write(`${errors.length} error(s) in ${file}\n`);
    return 1;
  }
  // Warnings never change the exit status: the file is valid, it will only page badly soon.
  const cs = collectorSite.site;
  if (cs?.notifications && typeof cs.config.collector.notifications === "string") {
    const gaps = rosterCoverageGaps(Date.now(), cs.notifications, cs.policy.timezone);
    const notificationsFile = resolve(dirname(file), cs.config.collector.notifications);
    for (const line of rosterCoverageWarnings(notificationsFile, gaps, cs.notifications.fallback))
      process.stderr.write(`${line}\n`);
  }
  process.stdout.write(
    `${file}: ok (${site.devices.length} device(s), profiles from ${site.profilesDir}` +
      `${site.config.agent ? `, agent ${site.config.agent.id}` : ""}` +
      `${site.config.collector ? `, collector${site.config.collector.policy ? ` with policy ${site.config.collector.policy}` : ""}` : ""}` +
      `${templates > 0 ? `, ${templates} inspection template(s)` : ""})\n`,
  );
  return 0;
}
