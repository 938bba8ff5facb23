import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freeUdpPort } from "../../cli/snmpsim.ts";

/** Where the LibreNMS recordings live (another project's data: read from there, never copied into the repo). */
export function recordingsDir(): string {
  return resolve(
    process.env.WATCHFLOOR_DEVICE_RECORDINGS ?? join(import.meta.dirname, "../../../shared/devices"),
  );
}

/** Why SNMP peer tests cannot run here, or undefined when they can. */
export function snmpsimMissing(dir = recordingsDir()): string | undefined {
  if (!existsSync(dir)) return `recordings folder ${dir} is absent (set WATCHFLOOR_DEVICE_RECORDINGS)`;
  try {
    execFileSync("sh", ["-c", "command -v snmpsimd"], { stdio: "ignore" });
  } catch {
    return "snmpsimd is not installed (Debian package snmpsim)";
  }
  return undefined;
}

export { freeUdpPort };

export interface Snmpsim {
  port: number;
  /** Community names served: one per recording, the file's stem. */
  communities: string[];
  /** snmpsimd's process id (benchmarks read its CPU from /proc). */
  pid: number;
  stop(): Promise<void>;
}

/** Asks sysObjectID.0 with Debian's snmpget until the simulator answers. */
async function waitUntilAnswering(
  port: number,
  community: string,
  proc: ChildProcess,
  deadline: number,
): Promise<void> {
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`snmpsimd exited with code ${proc.exitCode}`);
    try {
      execFileSync(
        "snmpget",
        ["-v2c", "-c", community, "-t", "0.5", "-r", "0", `127.0.0.1:${port}`, "1.3.6.1.2.1.1.2.0"],
        {
          stdio: "ignore",
        },
      );
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`snmpsimd did not answer on 127.0.0.1:${port}`);
}

/**
 * Starts one snmpsimd serving every *.snmprec of `source` (or the listed ones) on a free UDP port.
 * The files are copied to a temp folder that the unprivileged process user (nobody) can read.
 */
export async function startSnmpsim(
  opts: { source?: string; only?: string[]; extraArgs?: string[]; port?: number } = {},
): Promise<Snmpsim> {
  const source = opts.source ?? recordingsDir();
  const root = mkdtempSync(join(tmpdir(), "wf-snmpsim-"));
  const data = join(root, "data");
  const cache = join(root, "cache");
  mkdirSync(data);
  mkdirSync(cache);
  const files = readdirSync(source).filter(
    (f) => f.endsWith(".snmprec") && (!opts.only || opts.only.includes(f.slice(0, -8))),
  );
  for (const f of files) copyFileSync(join(source, f), join(data, f));
  for (const p of [root, data, cache]) chmodSync(p, 0o777);
  for (const f of files) chmodSync(join(data, f), 0o644);
  const communities = files.map((f) => f.slice(0, -8));
  // A given port: another simulator takes over an address (a device replaced behind it).
  const port = opts.port ?? (await freeUdpPort());
  const proc = spawn(
    "snmpsimd",
    [
      `--data-dir=${data}`,
      `--cache-dir=${cache}`,
      `--agent-udpv4-endpoint=127.0.0.1:${port}`,
      "--process-user=nobody",
      "--process-group=nogroup",
      "--logging-method=null",
      ...(opts.extraArgs ?? []),
    ],
    { stdio: "ignore" },
  );
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(port, communities[0]!, proc, Date.now() + 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, communities, pid: proc.pid!, stop };
}
