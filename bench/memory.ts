/**
 * npm run bench:memory — the collector's memory beside the age of its store: a collector started on
 * an empty store and on stores holding a simulated quarter, year and two years of history (500k
 * condition events a year, archived daily as the engine does, 2,000 faults open; bench/history.ts),
 * each in a process of its own: RSS and V8 heap once started, and again after a full GC, as ratios
 * to the empty store's. Every history ends alike (2,000 faults open, 16 days of resolved faults not
 * yet archived: the live working set), so what differs between a quarter and two years is the
 * archive alone. Every store grows for years: the goal is a collector whose heap after two years is
 * within 10 MB of its heap after a quarter. It also times the reads that go to the store for archived
 * faults: GET /api/v1/faults/:id of the oldest fault and GET /api/v1/kpi for the history's first
 * quarter.
 *
 * usage: npm run bench:memory [-- --history 500000]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DAY, OPEN, seedHistory } from "./history.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};

interface Probe {
  startMs: number;
  rssMb: number;
  heapMb: number;
  gcRssMb: number;
  gcHeapMb: number;
  liveFaults: number;
  faultMs: number;
  faultStatus: number;
  kpiMs: number;
  kpiTotal: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/** The child: a collector on the store FILE, measured once started and after a full GC. */
async function probe(file: string, oldest: string, quarter: string): Promise<void> {
  const { startCollectorServer } = await import("../test/harness/collector-server.ts");
  const t0 = performance.now();
  const s = await startCollectorServer({ dbFile: file, inventory: { devices: {} } });
  const startMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const started = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const collected = process.memoryUsage();
  const get = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.token}` } });
    const body = (await res.json()) as { kpi?: { total: number } };
    return { ms: performance.now() - t, status: res.status, body };
  };
  const fault = await get(`/api/v1/faults/${oldest}`);
  const kpi = await get(`/api/v1/kpi?period=${quarter}`);
  const out: Probe = {
    startMs,
    rssMb: mb(started.rss),
    heapMb: mb(started.heapUsed),
    gcRssMb: mb(collected.rss),
    gcHeapMb: mb(collected.heapUsed),
    liveFaults: s.ctx.faults.liveFaults().length,
    faultMs: fault.ms,
    faultStatus: fault.status,
    kpiMs: kpi.ms,
    kpiTotal: kpi.body.kpi?.total ?? -1,
  };
  await s.close();
  console.log(JSON.stringify(out));
}

function measure(file: string, quarter: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--probe", file, "F-h1", quarter],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`probe exited ${code}: ${out}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Probe);
    });
  });
}

/** The quarter (Asia/Shanghai, UTC+8 without daylight saving) an instant falls in, as 2026Q1. */
function quarterOf(t: number): string {
  const d = new Date(t + 8 * 3_600_000);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

const probeAt = process.argv.indexOf("--probe");
if (probeAt !== -1) {
  await probe(process.argv[probeAt + 1]!, process.argv[probeAt + 2]!, process.argv[probeAt + 3]!);
} else {
  const perYear = arg("history", 500_000);
  const dir = mkdtempSync(join(tmpdir(), "wf-bench-memory-"));
  const end = Date.now() - 2 * DAY;
  const histories = [
    { name: "empty", days: 0 },
    { name: "a quarter", days: 91 },
    { name: "a year", days: 365 },
    { name: "two years", days: 730 },
  ];
  try {
    const rows = [];
    for (const h of histories) {
      const events = Math.round((perYear * h.days) / 365 / 2) * 2;
      const file = join(dir, `${h.days}.db`);
      const t0 = performance.now();
      if (events > 0) await seedHistory({ kind: "sqlite", file }, end, h.days, events);
      const seedS = (performance.now() - t0) / 1000;
      const p = await measure(file, quarterOf(end - h.days * DAY));
      rows.push({ ...h, events, seedS, p });
    }
    const empty = rows[0]!.p;
    const fmt = (n: number, d = 1) => n.toFixed(d).padStart(8);
    console.log(
      `collector memory by store age (SQLite; ${perYear.toLocaleString("en")} events a year, ${OPEN.toLocaleString("en")} faults open; each in a process of its own)`,
    );
    console.log(
      `  ${"store".padEnd(30)}${"start ms".padStart(9)}${"RSS MB".padStart(9)}${"heap MB".padStart(9)}${"RSS gc".padStart(9)}${"heap gc".padStart(9)}${"x empty".padStart(9)}${"held".padStart(8)}${"GET fault ms".padStart(14)}${"GET kpi ms (faults)".padStart(22)}`,
    );
    for (const r of rows) {
      const name = r.events > 0 ? `${r.name} (${r.events.toLocaleString("en")} events)` : r.name;
      const faultCell = r.events > 0 ? `${r.p.faultMs.toFixed(1)} (${r.p.faultStatus})` : "—";
      const kpiCell = r.events > 0 ? `${r.p.kpiMs.toFixed(1)} (${r.p.kpiTotal})` : "—";
      console.log(
        `  ${name.padEnd(30)}${fmt(r.p.startMs, 0).padStart(9)}${fmt(r.p.rssMb)}${fmt(r.p.heapMb)}${fmt(r.p.gcRssMb)}${fmt(r.p.gcHeapMb)}${fmt(r.p.gcHeapMb / empty.gcHeapMb, 2)}${String(r.p.liveFaults).padStart(8)}${faultCell.padStart(14)}${kpiCell.padStart(22)}`,
      );
    }
    const quarter = rows.find((r) => r.days === 91)!.p;
    const twoYears = rows.find((r) => r.days === 730)!.p;
    const grew = twoYears.gcHeapMb - quarter.gcHeapMb;
    console.log(
      `goal: heap after a GC, two years' store against a quarter's (the same live faults, 8x the archive): ${grew >= 0 ? "+" : ""}${grew.toFixed(1)} MB (RSS ${twoYears.gcRssMb - quarter.gcRssMb >= 0 ? "+" : ""}${(twoYears.gcRssMb - quarter.gcRssMb).toFixed(1)} MB) — within 10 MB ${grew <= 10 ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
