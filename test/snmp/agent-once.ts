import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OnceLine } from "../harness/once-line.ts";
import { ROOT, tempDir } from "../harness/process.ts";

export type { OnceLine } from "../harness/once-line.ts";

/** One device entry of a site config, as YAML flow text. */
export function snmpDevice(
  id: string,
  address: string,
  profile: string,
  options: Record<string, unknown>,
  cls = "network",
): string {
  return `  - { id: ${id}, name: ${id}, class: ${cls}, driver: snmp, address: "${address}", profile: ${profile}, timeout: 20s, options: ${JSON.stringify(options)} }`;
}

/** Writes a site config with the shipped profiles and runs `watchfloor-agent --once` on it. */
export async function runOnce(
  devices: string[],
  env: NodeJS.ProcessEnv = {},
  profilesDir = join(ROOT, "config/profiles"),
): Promise<{ lines: Map<string, OnceLine>; stderr: string; code: number }> {
  const dir = tempDir("wf-snmp-once-");
  const config = join(dir, "site.yaml");
  writeFileSync(
    config,
    `site: { name: snmp test }
agent:
  id: snmp-test
  dataDir: ${join(dir, "agent")}
  profilesDir: ${profilesDir}
  collector: { url: "http://127.0.0.1:9/", token: unused }
devices:
${devices.join("\n")}
`,
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin/watchfloor-agent.mjs"), "--config", config, "--once"],
      { env: { ...process.env, ...env }, cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        const lines = new Map<string, OnceLine>();
        for (const l of stdout.split("\n")) {
          if (!l.startsWith("{")) continue;
          const parsed = JSON.parse(l) as OnceLine;
          lines.set(parsed.device, parsed);
        }
        done({ lines, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

/** The readings of `name` whose labels include `labels`. */
export function readingsOf(line: OnceLine | undefined, name: string, labels: Record<string, string> = {}) {
  return (line?.readings ?? []).filter(
    (r) => r.name === name && Object.entries(labels).every(([k, v]) => r.labels[k] === v),
  );
}

/** The id suffix of a recording's second device, the one polled with `profile: auto`. */
export const AUTO_SUFFIX = ".auto";

/**
 * One `--once` over recordings served at `at`, each polled twice: with its named profile (device id =
 * the recording) and with `profile: auto` (id + AUTO_SUFFIX). Throws with the agent's stderr when a
 * device is missing from its output.
 */
export async function runNamedAndAuto(
  at: string,
  recordings: { recording: string; profile: string; class: string }[],
): Promise<Map<string, OnceLine>> {
  const devices = recordings.flatMap((c) =>
    [c.profile, "auto"].map((profile) =>
      snmpDevice(
        profile === "auto" ? `${c.recording}${AUTO_SUFFIX}` : c.recording,
        at,
        profile,
        { community: c.recording, timeoutMs: 3000 },
        c.class,
      ),
    ),
  );
  const res = await runOnce(devices);
  if (res.lines.size !== devices.length)
    throw new Error(`agent printed ${res.lines.size} of ${devices.length} devices:\n${res.stderr}`);
  return res.lines;
}
