/**
 * bench:snmp — polls N simulated SNMP devices (LibreNMS recordings served by Debian's snmpsim) with
 * Watchfloor's SNMP driver and IF-MIB profile, and scrapes the same devices with Debian's
 * prometheus-snmp-exporter using an equivalent module (same columns, same max-repetitions), in the
 * same run. Prints devices/second, CPU seconds per device poll and RSS for each, and the ratios.
 *
 *   npm run bench:snmp                 # 60 devices, 5 rounds
 *   BENCH_DEVICES=120 BENCH_ROUNDS=10 npm run bench:snmp
 *
 * snmpsim itself costs 2.5–3 ms CPU per PDU and is the same for both; only each client's own
 * process CPU is compared (ours: this process; the exporter: its /proc/PID/stat).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "../agent/agent.ts";
import { loadSite } from "../agent/site.ts";
import { systemClock } from "../common/clock.ts";
import { tempDir } from "../test/harness/process.ts";
import { snmpsimMissing, startSnmpsim } from "../test/peers/snmpsim.ts";

const RECORDINGS = [
  "comware_a5500",
  "vrp_s5328c-ei",
  "vrp_ac6605-26",
  "fortigate_60f",
  "stoneos",
  "linux_icecast",
];
const DEVICES = Number(process.env.BENCH_DEVICES ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAX_REPETITIONS = 25;

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

function exporterConfig(): string {
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

function freeTcpPort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

function procStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100 Hz on Linux)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return { cpuSeconds: ticks / 100, rssMb: Number(rss) / 1024 };
}

interface Result {
  devicesPerSecond: number;
  cpuPerPoll: number;
  rssMb: number;
  failures: number;
}

async function benchWatchfloor(simPort: number, dir: string): Promise<Result> {
  const config = join(dir, "site.yaml");
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const r = RECORDINGS[i % RECORDINGS.length]!;
    return `  - { id: dev-${i}, name: d${i}, class: network, driver: snmp, address: "127.0.0.1:${simPort}", profile: if-mib, timeout: 30s, options: { community: ${r}, maxRepetitions: ${MAX_REPETITIONS}, timeoutMs: 5000 } }`;
  });
  writeFileSync(
    config,
    `site: { name: bench }\nagent:\n  id: bench\n  profilesDir: ${join(import.meta.dirname, "../config/profiles")}\n  collector: { url: "http://127.0.0.1:9/", token: x }\ndevices:\n${devices.join("\n")}\n`,
  );
  const { site, errors } = loadSite(config);
  if (!site) throw new Error(JSON.stringify(errors));
  const agent = await Agent.create({
    agentId: "bench",
    devices: site.devices,
    clock: systemClock,
    logger: pino({ level: "silent" }),
  });
  await agent.pollAll(); // warm-up: sessions, JIT
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++)
    failures += (await agent.pollAll()).filter((p) => !p.up || p.readingErrors.length > 0).length;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await agent.stop();
  return {
    devicesPerSecond: (DEVICES * ROUNDS) / wall,
    cpuPerPoll: (cpu.user + cpu.system) / 1e6 / (DEVICES * ROUNDS),
    rssMb,
    failures,
  };
}

async function benchExporter(simPort: number, dir: string): Promise<Result> {
  const config = join(dir, "snmp.yml");
  writeFileSync(config, exporterConfig());
  const port = await freeTcpPort();
  const proc: ChildProcess = spawn(
    "prometheus-snmp-exporter",
    [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  proc.stderr!.on("data", (c) => {
    stderr += c;
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`snmp_exporter exited: ${stderr}`);
      if (
        await fetch(`${base}/metrics`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error(`snmp_exporter did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const scrapeAll = () =>
      Promise.all(
        Array.from({ length: DEVICES }, async (_, i) => {
          const module = RECORDINGS[i % RECORDINGS.length]!;
          const text = await (
            await fetch(`${base}/snmp?target=127.0.0.1:${simPort}&module=${module}`)
          ).text();
          return text.includes("ifOperStatus{") ? 0 : 1;
        }),
      );
    await scrapeAll(); // warm-up
    let failures = 0;
    const before = procStats(proc.pid!);
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) failures += (await scrapeAll()).reduce((a: number, b: number) => a + b, 0);
    const wall = (performance.now() - t0) / 1000;
    const after = procStats(proc.pid!);
    return {
      devicesPerSecond: (DEVICES * ROUNDS) / wall,
      cpuPerPoll: (after.cpuSeconds - before.cpuSeconds) / (DEVICES * ROUNDS),
      rssMb: after.rssMb,
      failures,
    };
  } finally {
    proc.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const missing = snmpsimMissing();
  if (missing) {
    console.error(`bench:snmp: ${missing}`);
    process.exitCode = 1;
    return;
  }
  const sim = await startSnmpsim({ only: RECORDINGS });
  const dir = tempDir("wf-bench-snmp-");
  try {
    console.log(
      `bench:snmp — ${DEVICES} devices (${RECORDINGS.length} recordings via snmpsim), ${ROUNDS} rounds, IF-MIB, max-repetitions ${MAX_REPETITIONS}`,
    );
    const ours = await benchWatchfloor(sim.port, dir);
    const theirs = await benchExporter(sim.port, dir);
    const row = (name: string, r: Result) =>
      `${name.padEnd(26)} ${r.devicesPerSecond.toFixed(1).padStart(9)} dev/s ${(r.cpuPerPoll * 1000).toFixed(2).padStart(8)} ms CPU/poll ${r.rssMb.toFixed(0).padStart(6)} MB RSS  ${r.failures} failed polls`;
    console.log(row("watchfloor snmp driver", ours));
    console.log(row("prometheus-snmp-exporter", theirs));
    console.log(
      `ratio watchfloor/exporter:  throughput ×${(ours.devicesPerSecond / theirs.devicesPerSecond).toFixed(2)}, CPU per poll ×${(ours.cpuPerPoll / theirs.cpuPerPoll).toFixed(2)}, RSS ×${(ours.rssMb / theirs.rssMb).toFixed(2)}`,
    );
    console.log(
      "(throughput is bounded by snmpsim on the same cores; CPU per poll is each client's own process)",
    );
  } finally {
    await sim.stop();
  }
}

await main();
