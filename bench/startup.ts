/**
 * npm run bench:startup — what the production build saves: start-up time (spawn → "listening") and
 * resident memory (VmRSS from /proc once settled, and the peak VmHWM) of the agent and the collector,
 * run from dist/ by plain node beside the TypeScript sources through tsx. Builds dist/ first.
 * `-- --runs N` (default 5); medians are printed, and the ratio built / tsx.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bareSite } from "../test/harness/bare-site.ts";
import { ROOT, tempDir } from "../test/harness/process.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const dir = tempDir("wf-bench-startup-");
const config = bareSite(dir);

const build = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const statusKb = (pid: number, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

async function once(
  bin: string,
  runtime: "dist" | "source",
): Promise<{ startMs: number; rssMb: number; peakMb: number }> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin", bin), "--config", config, "--listen", "127.0.0.1:0"],
    {
      env: {
        ...process.env,
        WATCHFLOOR_RUNTIME: runtime,
        WATCHFLOOR_AGENT_TOKEN: "bench",
        WATCHFLOOR_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  const startMs = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("listening on")) resolve(performance.now() - t0);
    });
    child.once("exit", (code) => reject(new Error(`${bin} exited (${code}) before listening:\n${out}`)));
  });
  // Idle for a while, as a deployed process is between polls.
  await new Promise((r) => setTimeout(r, 3000));
  const rssMb = statusKb(child.pid!, "VmRSS") / 1024;
  const peakMb = statusKb(child.pid!, "VmHWM") / 1024;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { startMs, rssMb, peakMb };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`\nmedian of ${runs} runs each; idle, no device (the module graph and the runtime only)\n`);
console.log("process    runtime            start (ms)   RSS (MB)   peak RSS (MB)");
for (const [name, bin] of [
  ["agent", "watchfloor-agent.mjs"],
  ["collector", "watchfloor-collector.mjs"],
] as const) {
  const figures: Record<string, { startMs: number; rssMb: number; peakMb: number }> = {};
  for (const runtime of ["source", "dist"] as const) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once(bin, runtime));
    figures[runtime] = {
      startMs: median(samples.map((s) => s.startMs)),
      rssMb: median(samples.map((s) => s.rssMb)),
      peakMb: median(samples.map((s) => s.peakMb)),
    };
    const f = figures[runtime]!;
    console.log(
      `${name.padEnd(10)} ${(runtime === "dist" ? "dist/ (node)" : "sources (tsx)").padEnd(18)} ${f.startMs.toFixed(0).padStart(10)} ${f.rssMb.toFixed(1).padStart(10)} ${f.peakMb.toFixed(1).padStart(15)}`,
    );
  }
  const d = figures.dist!;
  const s = figures.source!;
  console.log(
    `${name.padEnd(10)} ${"built / tsx".padEnd(18)} ${(d.startMs / s.startMs).toFixed(2).padStart(10)} ${(d.rssMb / s.rssMb).toFixed(2).padStart(10)} ${(d.peakMb / s.peakMb).toFixed(2).padStart(15)}`,
  );
}
