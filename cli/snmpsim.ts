/**
 * Runs Debian's snmpsimd (package `snmpsim`) serving one recording on a free loopback UDP port, for
 * `watchfloor profile test`. snmpsimd drops root to nobody, so the data is copied to a folder that
 * user can read. Stopped (and its folder removed) by `stop()`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Simulator {
  port: number;
  community: string;
  stop(): Promise<void>;
}

/** A free UDP port on loopback (bound then released; snmpsimd binds it right after). */
export function freeUdpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createSocket("udp4");
    s.once("error", fail);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

function answers(port: number, community: string): Promise<boolean> {
  return new Promise((done) =>
    execFile(
      "snmpget",
      ["-v2c", "-c", community, "-t", "0.5", "-r", "0", `127.0.0.1:${port}`, "1.3.6.1.2.1.1.3.0"],
      (err, stdout) => done(!err || /No Such/.test(stdout)),
    ),
  );
}

export async function serveRecording(snmprec: string, community = "walk"): Promise<Simulator> {
  const root = mkdtempSync(join(tmpdir(), "watchfloor-walk-"));
  const data = join(root, "data");
  const cache = join(root, "cache");
  mkdirSync(data);
  mkdirSync(cache);
  writeFileSync(join(data, `${community}.snmprec`), snmprec);
  for (const p of [root, data, cache]) chmodSync(p, 0o777);
  chmodSync(join(data, `${community}.snmprec`), 0o644);
  const port = await freeUdpPort();
  let proc: ChildProcess;
  let spawnError: Error | undefined;
  const asRoot = process.getuid?.() === 0;
  proc = spawn(
    "snmpsimd",
    [
      `--data-dir=${data}`,
      `--cache-dir=${cache}`,
      `--agent-udpv4-endpoint=127.0.0.1:${port}`,
      ...(asRoot ? ["--process-user=nobody", "--process-group=nogroup"] : []),
      "--logging-method=null",
    ],
    { stdio: "ignore" },
  );
  proc.once("error", (err) => {
    spawnError = err;
  });
  const stop = async () => {
    if (proc.exitCode === null && !spawnError) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (spawnError) {
      await stop();
      throw new Error(
        (spawnError as NodeJS.ErrnoException).code === "ENOENT"
          ? "snmpsimd is not installed: apt-get install snmpsim snmp"
          : `snmpsimd: ${spawnError.message}`,
      );
    }
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`snmpsimd exited with code ${proc.exitCode} (is the recording valid snmprec?)`);
    }
    if (await answers(port, community)) return { port, community, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`snmpsimd did not answer on 127.0.0.1:${port} within 20 s`);
}
