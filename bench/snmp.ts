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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "../agent/agent.ts";
import { loadSite } from "../agent/site.ts";
import { systemClock } from "../common/clock.ts";
import { tempDir } from "../test/harness/process.ts";
import { snmpsimMissing, startSnmpsim } from "../test/peers/snmpsim.ts";
import { exporterConfig, MAX_REPETITIONS, procStats, RECORDINGS, startExporter } from "./snmp-exporter.ts";

const DEVICES = Number(process.env.BENCH_DEVICES ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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
  const exporter = await startExporter(config);
  try {
    const { base } = exporter;
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
    const before = procStats(exporter.pid);
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) failures += (await scrapeAll()).reduce((a: number, b: number) => a + b, 0);
    const wall = (performance.now() - t0) / 1000;
    const after = procStats(exporter.pid);
    return {
      devicesPerSecond: (DEVICES * ROUNDS) / wall,
      cpuPerPoll: (after.cpuSeconds - before.cpuSeconds) / (DEVICES * ROUNDS),
      rssMb: after.rssMb,
      failures,
    };
  } finally {
    exporter.stop();
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
