/**
 * What bench:snmp and bench:agent share: the LibreNMS recordings polled, prometheus-snmp-exporter's
 * module equivalent to the if-mib profile, and process figures read from /proc.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

export const RECORDINGS = [
  "comware_a5500",
  "vrp_s5328c-ei",
  "vrp_ac6605-26",
  "fortigate_60f",
  "stoneos",
  "linux_icecast",
];
export const MAX_REPETITIONS = 25;

const IF = "1.3.6.1.2.1.2.2.1";
const IFX = "1.3.6.1.2.1.31.1.1.1";
/** The columns the if-mib profile walks (its 32-bit fallbacks are not walked when ifXTable answers). */
const COLUMNS: [string, string, "gauge" | "counter"][] = [
  ["ifOperStatus", `${IF}.8`, "gauge"],
  ["ifAdminStatus", `${IF}.7`, "gauge"],
  ["ifInErrors", `${IF}.14`, "counter"],
  ["ifOutErrors", `${IF}.20`, "counter"],
  ["ifHCInOctets", `${IFX}.6`, "counter"],
  ["ifHCOutOctets", `${IFX}.10`, "counter"],
  ["ifHighSpeed", `${IFX}.15`, "gauge"],
];
const LOOKUPS: [string, string][] = [
  ["ifName", `${IFX}.1`],
  ["ifDescr", `${IF}.2`],
  ["ifAlias", `${IFX}.18`],
];

export function exporterConfig(): string {
  const metric = ([name, oid, type]: (typeof COLUMNS)[number]) =>
    `      - name: ${name}\n        oid: ${oid}\n        type: ${type}\n        indexes: [{ labelname: ifIndex, type: gauge }]\n        lookups:\n` +
    LOOKUPS.map(
      ([l, o]) => `          - { labels: [ifIndex], labelname: ${l}, oid: ${o}, type: DisplayString }\n`,
    ).join("");
  const walk = [...COLUMNS.map((c) => c[1]), ...LOOKUPS.map((l) => l[1])];
  return RECORDINGS.map(
    (r) =>
      `${r}:\n  version: 2\n  max_repetitions: ${MAX_REPETITIONS}\n  retries: 1\n  timeout: 5s\n  auth: { community: ${r} }\n` +
      `  walk: [${walk.join(", ")}]\n  get: [1.3.6.1.2.1.1.3.0]\n  metrics:\n` +
      `      - { name: sysUpTime, oid: 1.3.6.1.2.1.1.3, type: gauge }\n${COLUMNS.map(metric).join("")}`,
  ).join("");
}

export function freeTcpPort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

export function procStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100 Hz on Linux)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return { cpuSeconds: ticks / 100, rssMb: Number(rss) / 1024 };
}


/** Starts Debian's prometheus-snmp-exporter with `config` on a free port; resolves once it answers. */
export async function startExporter(
  configFile: string,
): Promise<{ base: string; pid: number; stop(): void }> {
  const { spawn } = await import("node:child_process");
  const port = await freeTcpPort();
  const proc = spawn(
    "prometheus-snmp-exporter",
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  proc.stderr!.on("data", (c) => {
    stderr += c;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`snmp_exporter exited: ${stderr}`);
    if (await fetch(`${base}/metrics`).then((r) => r.ok, () => false)) break;
    if (i > 100) {
      proc.kill("SIGTERM");
      throw new Error(`snmp_exporter did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, pid: proc.pid!, stop: () => proc.kill("SIGTERM") };
}
