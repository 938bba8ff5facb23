import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandsMissing } from "../harness/peer-gate.ts";
import { freePort, portBound } from "../harness/ports.ts";
import { tempDir } from "../harness/process.ts";
import type { TestCert } from "./tls-cert.ts";

export function kamailioMissing(): string | undefined {
  return commandsMissing(["kamailio"], "kamailio kamailio-tls-modules");
}

export interface Kamailio {
  port: number;
  tlsPort: number;
  stop(): Promise<void>;
}

const MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules";

/**
 * Debian's kamailio as a trunk on loopback: UDP and TCP on `port`, TLS on `tlsPort` with `cert`; it
 * answers OPTIONS 200 only with valid digest credentials for `password` (any user), else challenges
 * (qop=auth); anything else gets 405. Run in the foreground and stopped by its pid.
 */
export async function startKamailio(cert: TestCert, password: string): Promise<Kamailio> {
  const dir = tempDir("wf-kamailio-");
  const port = await freePort();
  const tlsPort = await freePort();
  writeFileSync(join(dir, "key.pem"), cert.key);
  writeFileSync(
    join(dir, "tls.cfg"),
    `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${join(dir, "key.pem")}\ncertificate = ${cert.certFile}\n`,
  );
  writeFileSync(
    join(dir, "kamailio.cfg"),
    `#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
listen=tls:127.0.0.1:${tlsPort}
enable_tls=yes
mpath="${MODULES}/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "auth.so"
loadmodule "tls.so"
modparam("tls", "config", "${join(dir, "tls.cfg")}")
request_route {
  if ($rm == "OPTIONS") {
    if (!pv_www_authenticate("$td", "${password}", "0")) {
      www_challenge("$td", "1");
      exit;
    }
    sl_send_reply("200", "OK");
    exit;
  }
  sl_send_reply("405", "Method Not Allowed");
}
`,
  );
  let log = "";
  const proc: ChildProcess = spawn("kamailio", ["-f", join(dir, "kamailio.cfg"), "-DD", "-E", "-w", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stderr!.on("data", (c: Buffer) => {
    log += c.toString();
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const end = Date.now() + 15_000;
  while (!(portBound(tlsPort, "tcp") && portBound(port, "udp"))) {
    if (proc.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`kamailio did not start:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, tlsPort, stop };
}
