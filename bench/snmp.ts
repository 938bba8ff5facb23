/**
 * bench:snmp — polls N simulated SNMP devices (LibreNMS recordings served by Debian's snmpsim) with
 * Watchfloor's SNMP driver and IF-MIB profile, and scrapes the same devices with Debian's
 * prometheus-snmp-exporter using an equivalent module (same columns, same max-repetitions), in the
 * same run. Prints devices/second, CPU seconds per device poll and RSS for each, and the ratios.
 *
 *   npm run bench:snmp                 # 60 devices, 8 rounds of each client, in turn
 *   BENCH_DEVICES=120 BENCH_ROUNDS=10 BENCH_WARMUP=3 npm run bench:snmp
 *
 * snmpsim itself costs 2.5–3 ms CPU per PDU and is the same for both; only each client's own
 * process CPU is compared (ours: this process; the exporter: its /proc/PID/stat).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "../agent/agent.ts";
import { loadSite } from "../agent/site.ts";
import { systemClock } from "../common/clock.ts";
import { tempDir } from "../test/harness/process.ts";
import { snmpsimMissing, startSnmpsim } from "../test/peers/snmpsim.ts";
import { exporterConfig, MAX_REPETITIONS, procStats, RECORDINGS, startExporter } from "./snmp-exporter.ts";

const DEVICES = Number(process.env.BENCH_DEVICES ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
/**
 * Rounds before measuring, for both clients: the agent runs for months, so what counts is its steady
 * state, not V8 compiling the poll path (its optimizing compiler's threads are this process's CPU).
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

interface Result {
  devicesPerSecond: number;
  cpuPerPoll: number;
  rssMb: number;
  failures: number;
}

/** One client under test: a round polls (or scrapes) every device once and says how many failed. */
interface Client {
  round(): Promise<number>;
  /** CPU seconds this client has used so far (its own process). */
  cpuSeconds(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

async function watchfloorClient(simPort: number, dir: string): Promise<Client> {
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
  return {
    round: async () => (await agent.pollAll()).filter((p) => !p.up || p.readingErrors.length > 0).length,
    cpuSeconds: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
    rssMb: () => process.memoryUsage().rss / 1024 / 1024,
    stop: () => agent.stop(),
  };
}

/**
 * Scrapes every device once per line read from stdin and prints the failures: the exporter's HTTP
 * client lives in a process of its own, so its work (fetch, gunzip, garbage) is counted for neither
 * client and never lands in this process between the agent's rounds.
 */
const SCRAPER = `
const [base, target, devices, modules] = process.argv.slice(1);
const mods = modules.split(",");
require("node:readline").createInterface({ input: process.stdin }).on("line", async () => {
  const fails = await Promise.all(Array.from({ length: Number(devices) }, async (_, i) => {
    const text = await (await fetch(base + "/snmp?target=" + target + "&module=" + mods[i % mods.length])).text();
    return text.includes("ifOperStatus{") ? 0 : 1;
  }));
  process.stdout.write(fails.reduce((a, b) => a + b, 0) + "\\n");
});`;

async function exporterClient(simPort: number, dir: string): Promise<Client> {
  const config = join(dir, "snmp.yml");
  writeFileSync(config, exporterConfig());
  const exporter = await startExporter(config);
  const scraper = spawn(
    process.execPath,
    ["-e", SCRAPER, exporter.base, `127.0.0.1:${simPort}`, String(DEVICES), RECORDINGS.join(",")],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: scraper.stdout! })[Symbol.asyncIterator]();
  return {
    round: async () => {
      scraper.stdin!.write("round\n");
      const line = await lines.next();
      if (line.done) throw new Error("the scraper process ended");
      return Number(line.value);
    },
    cpuSeconds: () => procStats(exporter.pid).cpuSeconds,
    rssMb: () => procStats(exporter.pid).rssMb,
    stop: async () => {
      scraper.kill("SIGTERM");
      exporter.stop();
    },
  };
}

/**
 * Both clients run in the same run, a round of each in turn, each round's CPU counted for its own
 * client: on a machine whose load changes, a phase of one client then a phase of the other would
 * compare two different machines.
 */
async function race(clients: Client[]): Promise<Result[]> {
  for (let r = 0; r < WARMUP; r++) for (const c of clients) await c.round(); // sessions, JIT, row counts
  const totals = clients.map(() => ({ cpu: 0, wall: 0, failures: 0 }));
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, c] of clients.entries()) {
      const cpu0 = c.cpuSeconds();
      const t0 = performance.now();
      totals[i]!.failures += await c.round();
      totals[i]!.wall += (performance.now() - t0) / 1000;
      totals[i]!.cpu += c.cpuSeconds() - cpu0;
    }
  return clients.map((c, i) => ({
    devicesPerSecond: (DEVICES * ROUNDS) / totals[i]!.wall,
    cpuPerPoll: totals[i]!.cpu / (DEVICES * ROUNDS),
    rssMb: c.rssMb(),
    failures: totals[i]!.failures,
  }));
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
      `bench:snmp — ${DEVICES} devices (${RECORDINGS.length} recordings via snmpsim), ${ROUNDS} rounds of each client in turn after ${WARMUP} of warm-up, IF-MIB, max-repetitions ${MAX_REPETITIONS}`,
    );
    const clients = [await watchfloorClient(sim.port, dir), await exporterClient(sim.port, dir)];
    let ours: Result;
    let theirs: Result;
    try {
      [ours, theirs] = (await race(clients)) as [Result, Result];
    } finally {
      for (const c of clients) await c.stop();
    }
    const row = (name: string, r: Result) =>
      `${name.padEnd(26)} ${r.devicesPerSecond.toFixed(1).padStart(9)} dev/s ${(r.cpuPerPoll * 1000).toFixed(2).padStart(8)} ms CPU/poll ${r.rssMb.toFixed(0).padStart(6)} MB RSS  ${r.failures} failed polls`;
    console.log(row("watchfloor snmp driver", ours));
    console.log(row("prometheus-snmp-exporter", theirs));
    console.log(
      `ratio watchfloor/exporter:  throughput ×${(ours.devicesPerSecond / theirs.devicesPerSecond).toFixed(2)}, CPU per poll ×${(ours.cpuPerPoll / theirs.cpuPerPoll).toFixed(2)}, RSS ×${(ours.rssMb / theirs.rssMb).toFixed(2)}`,
    );
    const ratio = ours.cpuPerPoll / theirs.cpuPerPoll;
    console.log(
      `goal: CPU per device-poll ≤ 0.5× the exporter's per scrape — ×${ratio.toFixed(2)}, ${ratio <= 0.5 ? "met" : "NOT met"}`,
    );
    console.log(
      "(throughput is bounded by snmpsim on the same cores; CPU per poll is each client's own process)",
    );
  } finally {
    await sim.stop();
  }
}

await main();
