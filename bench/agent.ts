/**
 * bench:agent — the built agent (dist/, run by node) polling 0, 50 and 500 SNMP devices (LibreNMS
 * recordings served by one Debian snmpsim, told apart by community) with the if-mib profile every 30 s,
 * beside Debian's prometheus-snmp-exporter scraping the same devices on the same schedule (each target
 * once per interval, spread evenly, as Prometheus does). The agent runs as its systemd unit runs it (the
 * bin executed, with the V8 flags of its #! line) while Prometheus's scrape of its /metrics every 15 s is
 * played. For each process: resident memory (VmRSS from /proc, median and peak of samples every 5 s),
 * CPU seconds per minute (/proc/PID/stat), and for the agent its completed, overrun and timed-out polls
 * (from its /metrics) and its /metrics page's size.
 *
 *   npm run bench:agent                                   # 0, 50, 500 devices, 2 minutes each
 *   BENCH_SIZES=500 BENCH_MINUTES=5 npm run bench:agent
 *   BENCH_NO_BUILD=1 npm run bench:agent                  # use dist/ as it is
 *   BENCH_SIZES=500 BENCH_RUNS=3 npm run bench:agent      # RSS: median of 3 runs' medians
 *   BENCH_NODE_FLAGS="" npm run bench:agent               # node without the bin's #! flags
 *
 * Goal (issue 18): ≤ 80 MB RSS and 0 overruns at 500 devices. snmpsim costs 2.5–3 ms CPU per PDU and
 * runs on the same cores; its CPU is not counted for either side.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../test/harness/process.ts";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../test/peers/snmpsim.ts";
import { exporterConfig, MAX_REPETITIONS, procStats, RECORDINGS, startExporter } from "./snmp-exporter.ts";

const ROOT = join(import.meta.dirname, "..");
const SIZES = (process.env.BENCH_SIZES ?? "0,50,500").split(",").map(Number);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 2);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 30);
const SAMPLE_MS = 5_000;
const AGENT_BIN = join(ROOT, "bin/watchfloor-agent.mjs");
/**
 * The agent runs as systemd runs it: the bin executed, so node gets the flags of its `#!` line. With
 * BENCH_NODE_FLAGS (e.g. "" for none, or "--max-semi-space-size=1") it is `node FLAGS bin` instead.
 */
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean);
const SHEBANG_FLAGS = /^#!.*\bnode\b(.*)$/m.exec(readFileSync(AGENT_BIN, "utf8"))?.[1]?.trim() ?? "";
/** Prometheus scrapes the agent's /metrics meanwhile, every 15 s as deploy/prometheus.yml says. */
const SCRAPE_MS = Number(process.env.BENCH_SCRAPE_S ?? 15) * 1000;

interface Figures {
  /** snmpsim's CPU seconds per minute meanwhile: the load each client puts on the devices. */
  simCpuSecondsPerMinute: number;
  rssMedianMb: number;
  rssPeakMb: number;
  cpuSecondsPerMinute: number;
  polls?: { completed: number; overruns: number; timeouts: number; started: number };
  /** The agent's /metrics page as Prometheus fetched it: size and slowest answer. */
  page?: { bytes: number; slowestMs: number };
  failures?: number;
  scrapes?: number;
}

/** Runs of the agent per size (BENCH_RUNS): RSS is the median of the runs' medians, as issue 18 measured. */
const RUNS = Number(process.env.BENCH_RUNS ?? 1);

/** Several runs of one size as one row: median RSS and CPU, the highest peak, polls summed. */
function combine(runs: Figures[]): Figures {
  const sum = (f: (x: Figures) => number) => runs.reduce((a, x) => a + f(x), 0);
  return {
    simCpuSecondsPerMinute: median(runs.map((r) => r.simCpuSecondsPerMinute)),
    rssMedianMb: median(runs.map((r) => r.rssMedianMb)),
    rssPeakMb: Math.max(...runs.map((r) => r.rssPeakMb)),
    cpuSecondsPerMinute: median(runs.map((r) => r.cpuSecondsPerMinute)),
    polls: {
      started: sum((r) => r.polls!.started),
      completed: sum((r) => r.polls!.completed),
      overruns: sum((r) => r.polls!.overruns),
      timeouts: sum((r) => r.polls!.timeouts),
    },
    page: { bytes: Math.max(...runs.map((r) => r.page!.bytes)), slowestMs: Math.max(...runs.map((r) => r.page!.slowestMs)) },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Samples a process's RSS every 5 s and its CPU (and snmpsim's) over `ms`. */
async function measure(pid: number, simPid: number, ms: number): Promise<Omit<Figures, "polls">> {
  const rss: number[] = [];
  const before = procStats(pid);
  const simBefore = procStats(simPid);
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    await sleep(Math.min(SAMPLE_MS, ms - (Date.now() - t0)));
    rss.push(procStats(pid).rssMb);
  }
  const after = procStats(pid);
  const simAfter = procStats(simPid);
  return {
    simCpuSecondsPerMinute: ((simAfter.cpuSeconds - simBefore.cpuSeconds) * 60_000) / (Date.now() - t0),
    rssMedianMb: median(rss),
    rssPeakMb: Math.max(...rss),
    cpuSecondsPerMinute: ((after.cpuSeconds - before.cpuSeconds) * 60_000) / (Date.now() - t0),
  };
}

function siteYaml(dir: string, simPort: number, n: number): string {
  const devices = Array.from({ length: n }, (_, i) => {
    const community = RECORDINGS[i % RECORDINGS.length]!;
    return `  - { id: dev-${i}, name: d${i}, class: network, driver: snmp, address: "127.0.0.1:${simPort}", profile: if-mib, interval: ${INTERVAL_S}s, options: { community: ${community}, maxRepetitions: ${MAX_REPETITIONS} } }`;
  });
  return `site: { name: bench }
agent:
  id: bench
  dataDir: ${join(dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  # Nothing listens here: events stay in the outbox, as during a collector outage.
  collector: { url: "http://127.0.0.1:9/", token: bench }
devices:${n === 0 ? " []" : `\n${devices.join("\n")}`}
`;
}

/** Sums a per-device counter over every device on an agent's /metrics. */
function total(metrics: string, name: string): number {
  let sum = 0;
  for (const m of metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([\\d.e+]+)$`, "gm"))) sum += Number(m[1]);
  return sum;
}

async function benchAgent(sim: Snmpsim, n: number): Promise<Figures> {
  const dir = tempDir(`wf-bench-agent-${n}-`);
  const config = join(dir, "site.yaml");
  writeFileSync(config, siteYaml(dir, sim.port, n));
  const args = ["--config", config, "--listen", "127.0.0.1:0"];
  const [command, argv] = NODE_FLAGS ? [process.execPath, [...NODE_FLAGS, AGENT_BIN, ...args]] : [AGENT_BIN, args];
  const proc: ChildProcess = spawn(command, argv, {
    // The bin's `env node` finds this same node first.
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, WATCHFLOOR_RUNTIME: "dist", WATCHFLOOR_LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let scraper: NodeJS.Timeout | undefined;
  let out = "";
  proc.stdout!.on("data", (c) => {
    out += c;
  });
  proc.stderr!.on("data", (c) => {
    out += c;
  });
  try {
    let url: string | undefined;
    for (let i = 0; !url; i++) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`agent exited: ${out}`);
      if (i > 300) throw new Error(`agent did not start: ${out}`);
      url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
      await sleep(100);
    }
    const scrape = () => fetch(`${url}/metrics`).then((r) => r.text());
    const page = { bytes: 0, slowestMs: 0 };
    const prometheus = async () => {
      const t0 = performance.now();
      const text = await scrape().catch(() => "");
      page.bytes = Math.max(page.bytes, Buffer.byteLength(text));
      page.slowestMs = Math.max(page.slowestMs, performance.now() - t0);
    };
    scraper = setInterval(() => void prometheus(), SCRAPE_MS);
    // One interval of warm-up: every device has had its first poll (sessions open, code compiled).
    await sleep(INTERVAL_S * 1000 + 2_000);
    const m0 = await scrape();
    const figures = await measure(proc.pid!, sim.pid, MINUTES * 60_000);
    const m1 = await scrape();
    const delta = (name: string) => total(m1, name) - total(m0, name);
    return {
      ...figures,
      polls: {
        started: delta("watchfloor_polls_total"),
        completed: delta("watchfloor_polls_completed_total"),
        overruns: delta("watchfloor_poll_overruns_total"),
        timeouts: delta("watchfloor_poll_timeouts_total"),
      },
      page,
    };
  } finally {
    clearInterval(scraper);
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
    }
  }
}

async function benchExporter(sim: Snmpsim, n: number): Promise<Figures> {
  const dir = tempDir(`wf-bench-exporter-${n}-`);
  const config = join(dir, "snmp.yml");
  writeFileSync(config, exporterConfig());
  const exporter = await startExporter(config);
  let failures = 0;
  let scrapes = 0;
  let timers: NodeJS.Timeout[] = [];
  const scrape = async (i: number) => {
    const module = RECORDINGS[i % RECORDINGS.length]!;
    try {
      const text = await fetch(`${exporter.base}/snmp?target=127.0.0.1:${sim.port}&module=${module}`, {
        signal: AbortSignal.timeout(10_000),
      }).then((r) => r.text());
      if (!text.includes("ifOperStatus{")) failures++;
    } catch {
      failures++;
    }
    scrapes++;
  };
  try {
    // Each target once per interval at its own offset, like Prometheus's scrape spreading.
    timers = Array.from({ length: n }, (_, i) =>
      setTimeout(() => {
        void scrape(i);
        timers.push(setInterval(() => void scrape(i), INTERVAL_S * 1000));
      }, (i * INTERVAL_S * 1000) / Math.max(n, 1)),
    );
    await sleep(INTERVAL_S * 1000 + 2_000);
    [failures, scrapes] = [0, 0];
    const figures = await measure(exporter.pid, sim.pid, MINUTES * 60_000);
    return { ...figures, failures, scrapes };
  } finally {
    for (const t of timers) clearTimeout(t);
    exporter.stop();
  }
}

async function main(): Promise<void> {
  const missing =
    snmpsimMissing() ??
    (() => {
      try {
        execFileSync("sh", ["-c", "command -v prometheus-snmp-exporter"], { stdio: "ignore" });
        return undefined;
      } catch {
        return "prometheus-snmp-exporter is not installed (Debian package prometheus-snmp-exporter)";
      }
    })();
  if (missing) {
    console.error(`bench:agent: ${missing}`);
    process.exitCode = 1;
    return;
  }
  if (!process.env.BENCH_NO_BUILD) {
    console.log("bench:agent: building dist/ (npm run build)…");
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  }
  const built = JSON.parse(readFileSync(join(ROOT, "dist/BUILD.json"), "utf8")) as { builtAt: number };
  const sim = await startSnmpsim({ only: RECORDINGS });
  console.log(
    `bench:agent — built agent (dist/, built ${new Date(built.builtAt).toISOString()}; ${NODE_FLAGS ? `node ${NODE_FLAGS.join(" ") || "without flags"}` : `the bin executed: node ${SHEBANG_FLAGS || "without flags"}`}), if-mib every ${INTERVAL_S} s via one snmpsim (${RECORDINGS.length} recordings), its /metrics scraped every ${SCRAPE_MS / 1000} s, ${MINUTES} min measured per size after one interval of warm-up`,
  );
  console.log(
    "devices  process                    RSS median  RSS peak  CPU s/min  polls done  overruns  timeouts  snmpsim CPU s/min",
  );
  try {
    for (const n of SIZES) {
      const runs: Figures[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await benchAgent(sim, n));
      const ours = combine(runs);
      const theirs = await benchExporter(sim, n);
      const mb = (x: number) => `${x.toFixed(1)} MB`.padStart(10);
      console.log(
        `${String(n).padStart(7)}  ${"watchfloor-agent".padEnd(25)} ${mb(ours.rssMedianMb)} ${mb(ours.rssPeakMb)} ${ours.cpuSecondsPerMinute.toFixed(2).padStart(10)} ${String(ours.polls!.completed).padStart(11)} ${String(ours.polls!.overruns).padStart(9)} ${String(ours.polls!.timeouts).padStart(9)} ${ours.simCpuSecondsPerMinute.toFixed(1).padStart(18)}`,
      );
      console.log(
        `${String(n).padStart(7)}  ${"prometheus-snmp-exporter".padEnd(25)} ${mb(theirs.rssMedianMb)} ${mb(theirs.rssPeakMb)} ${theirs.cpuSecondsPerMinute.toFixed(2).padStart(10)} ${String(theirs.scrapes! - theirs.failures!).padStart(11)} ${"—".padStart(9)} ${String(theirs.failures).padStart(9)} ${theirs.simCpuSecondsPerMinute.toFixed(1).padStart(18)}`,
      );
      if (RUNS > 1) console.log(`         agent RSS medians of the ${RUNS} runs: ${runs.map((f) => f.rssMedianMb.toFixed(1)).join(", ")} MB`);
      console.log(`         agent /metrics as scraped: ${(ours.page!.bytes / 1e6).toFixed(2)} MB, slowest ${Math.round(ours.page!.slowestMs)} ms`);
      if (n > 0)
        console.log(
          `         ratio agent/exporter: RSS ×${(ours.rssMedianMb / theirs.rssMedianMb).toFixed(2)}, CPU ×${(ours.cpuSecondsPerMinute / Math.max(theirs.cpuSecondsPerMinute, 0.001)).toFixed(2)}`,
        );
      if (n === 500)
        console.log(
          `         goal (issue 18) ≤ 80 MB RSS and 0 overruns at 500 devices: ${ours.rssMedianMb <= 80 && ours.polls!.overruns === 0 ? "met" : "NOT met"} (${ours.rssMedianMb.toFixed(1)} MB, ${ours.polls!.overruns} overruns)`,
        );
    }
  } finally {
    await sim.stop();
  }
}

await main();
