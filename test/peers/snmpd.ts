import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandsMissing } from "../harness/peer-gate.ts";
import { freeUdpPort } from "./snmpsim.ts";

export const V3_USER = {
  user: "wfuser",
  authProtocol: "sha",
  authKey: "authpass123",
  privProtocol: "aes",
  privKey: "privpass123",
};

export function snmpdMissing(): string | undefined {
  return commandsMissing(["snmpd", "snmpget"], "snmpd snmp");
}

export interface Snmpd {
  port: number;
  stop(): Promise<void>;
}

/**
 * Debian's snmpd on a free loopback port (or `opts.port`: a restart on the same address) with its own
 * state dir: v2c community `public` and a v3 authPriv user. `opts.view` limits what `public` sees to
 * those subtrees (a firmware with fewer MIBs).
 */
export async function startSnmpd(
  extraUsers: string[] = [],
  opts: { port?: number; view?: string[] } = {},
): Promise<Snmpd> {
  const dir = mkdtempSync(join(tmpdir(), "wf-snmpd-"));
  const conf = join(dir, "snmpd.conf");
  writeFileSync(
    conf,
    [
      `createUser ${V3_USER.user} SHA "${V3_USER.authKey}" AES "${V3_USER.privKey}"`,
      `rouser ${V3_USER.user} authpriv`,
      ...extraUsers,
      ...(opts.view
        ? [
            ...opts.view.map((oid) => `view limited included ${oid}`),
            "rocommunity public 127.0.0.1 -V limited",
          ]
        : ["rocommunity public 127.0.0.1"]),
      "",
    ].join("\n"),
  );
  const port = opts.port ?? (await freeUdpPort());
  const proc: ChildProcess = spawn(
    "snmpd",
    ["-f", "-Lo", "-C", "-c", conf, "-p", join(dir, "pid"), `udp:127.0.0.1:${port}`],
    {
      env: { ...process.env, SNMP_PERSISTENT_DIR: dir },
      stdio: "ignore",
    },
  );
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      execFileSync(
        "snmpget",
        ["-v2c", "-c", "public", "-t", "0.5", "-r", "0", `127.0.0.1:${port}`, "1.3.6.1.2.1.1.3.0"],
        { stdio: "ignore" },
      );
      break;
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) {
        await stop();
        throw new Error(`snmpd did not answer on 127.0.0.1:${port}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { port, stop };
}
