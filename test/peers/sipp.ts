import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandsMissing } from "../harness/peer-gate.ts";
import { portBound } from "../harness/ports.ts";
import { tempDir } from "../harness/process.ts";

/** Why sipp tests cannot run here, or undefined. */
export function sippMissing(): string | undefined {
  return commandsMissing(["sipp"], "sip-tester");
}

/**
 * A UAS scenario for OPTIONS (../shared/RECIPES.md): answer with `status` (200, 503), or, with
 * `status: null`, take the request and never answer (a trunk that is silent but whose port is open).
 */
function scenario(status: string | null): string {
  const send =
    status === null
      ? ""
      : `<send><![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

  ]]></send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="OPTIONS UAS">
  <recv request="OPTIONS" />
  ${send}
</scenario>
`;
}

export interface Sipp {
  port: number;
  stop(): Promise<void>;
}

/** Debian's sipp as an OPTIONS UAS on 127.0.0.1:port (UDP u1 or TCP t1); stopped by its own pid. */
export async function startSipp(opts: { port: number; transport: "u1" | "t1"; status: string | null }): Promise<Sipp> {
  const dir = tempDir("wf-sipp-");
  const file = join(dir, "uas.xml");
  writeFileSync(file, scenario(opts.status));
  const proc: ChildProcess = spawn(
    "sipp",
    ["-sf", file, "-i", "127.0.0.1", "-p", String(opts.port), "-t", opts.transport, "-nostdin", "-trace_err", "-error_file", join(dir, "err.log")],
    { stdio: "ignore", cwd: dir },
  );
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  };
  const end = Date.now() + 10_000;
  while (!portBound(opts.port, opts.transport === "u1" ? "udp" : "tcp")) {
    if (proc.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`sipp did not bind 127.0.0.1:${opts.port} (${opts.transport})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: opts.port, stop };
}
