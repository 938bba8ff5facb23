/**
 * npm run bench:ingest — durable events per second through the collector's HTTP ingest route, in
 * agent-sized batches (200), on an empty store and on stores holding a simulated quarter and year of
 * history (500k condition events a year, archived as the engine does) with 2,000 faults open; beside
 * each, the raw rate of the same batches inserted into the same SQLite file with the same durability
 * (WAL, fsync on commit, one transaction per batch): the limit. The stores are measured in interleaved
 * rounds and the medians printed. Then the storm: 1,531 devices unreachable at once, time until every
 * fault is committed and folded, and the API's p99 meanwhile.
 *
 * usage: npm run bench:ingest [-- --history 500000 --batches 60 --rounds 3]
 * Goals (issue 13): ≥ 5,000 events/s, ≥ 0.5× raw, < 20 % slower after a year than empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import pg from "pg";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Inventory } from "../collector/domain/index.ts";
import { openDatabase } from "../collector/store/db.ts";
import { DAY, OPEN, openStore, seedHistory, type Target } from "./history.ts";
import {
  floorInventory,
  measureWhile,
  startCollectorServer,
  stormBatches,
} from "../test/harness/collector-server.ts";
import { PostgresServer, postgresMissing } from "../test/harness/postgres.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const HISTORY = arg("history", 500_000);
const BATCHES = arg("batches", 60);
const ROUNDS = arg("rounds", 3);
/** Batches sent first and not counted: the JIT compiles the ingest path on them. */
const WARMUP = 10;
const BATCH = 200;
const inventory: Inventory = { devices: {} };
const dir = mkdtempSync(join(tmpdir(), "wf-bench-ingest-"));
/** PostgreSQL beside SQLite unless --no-postgres (or no server is installed: the bench says why). */
const POSTGRES = !process.argv.includes("--no-postgres");

/** The measured workload: devices flapping (firing, then clear a minute later), as agents report them. */
function workload(tag: string, now: number): unknown[][] {
  const batches: unknown[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const events = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const device = `work-${Math.floor(n / 2) % 1000}`;
      const firing = n % 2 === 0;
      events.push({
        id: `bench-${tag}-${String(n).padStart(6, "0")}`,
        type: "condition",
        device,
        condition: "link.down",
        state: firing ? "firing" : "clear",
        observedAt: new Date(now - 3_600_000 + n * 100 + (firing ? 0 : 60_000)).toISOString(),
      });
    }
    batches.push(events);
  }
  return batches;
}

/**
 * Events/s of the workload through POST /api/v1/events, one batch at a time as an agent sends them,
 * and the CPU the process used per event (collector and the sending client together).
 */
async function overHttp(target: Target, tag: string): Promise<{ rate: number; cpuUs: number }> {
  const s = await startCollectorServer({ store: await openStore(target), inventory });
  const batches = workload(tag, Date.now());
  for (const b of batches.slice(0, WARMUP)) await s.postEvents(b);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (const b of batches.slice(WARMUP)) await s.postEvents(b);
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const events = (batches.length - WARMUP) * BATCH;
  await s.close();
  return { rate: events / seconds, cpuUs: (used.user + used.system) / events };
}

/**
 * The same batches inserted raw into the same store, same durability: one transaction (one fsync)
 * per batch; on PostgreSQL one multi-row INSERT per batch (one round trip), its fastest form.
 */
async function raw(target: Target, tag: string): Promise<number> {
  const batches = workload(tag, Date.now()) as Array<Array<{ id: string; type: string }>>;
  const measured = batches.slice(WARMUP);
  const t0 = performance.now();
  if (target.kind === "sqlite") {
    const db = openDatabase(target.file);
    const insert = db.prepare("INSERT INTO events (id, agent, type, received_at, body) VALUES (?, 'agent-1', ?, ?, ?)");
    for (const b of measured)
      db.transaction(() => {
        for (const e of b) insert.run(e.id, e.type, Date.now(), JSON.stringify(e));
      })();
    db.close();
  } else {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    for (const b of measured) {
      const params = b.flatMap((e) => [e.id, e.type, Date.now(), JSON.stringify(e)]);
      const rows = b.map((_, k) => `($${4 * k + 1}, 'agent-1', $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`);
      await client.query("BEGIN");
      await client.query(`INSERT INTO events (id, agent, type, received_at, body) VALUES ${rows.join(", ")}`, params);
      await client.query("COMMIT");
    }
    await client.end();
  }
  return (measured.length * BATCH) / ((performance.now() - t0) / 1000);
}

async function stormFigures() {
  const inv = floorInventory(30, 50);
  const s = await startCollectorServer({ dbFile: join(dir, "storm.db"), inventory: inv });
  let ms = 0;
  const m = await measureWhile(s, async () => {
    const t0 = performance.now();
    for (const b of stormBatches(inv, Date.now() - 60_000)) await s.postEvents(b);
    ms = performance.now() - t0;
  });
  const folded = s.ctx.faults.liveFaults().filter((f) => f.status === "folded").length;
  await s.close();
  return { ms, folded, devices: Object.keys(inv.devices).length, ...m };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pad = (text: string, n: number) => text.padEnd(n);
const met = (ok: boolean) => (ok ? "met" : "NOT met");
const pgMissing = POSTGRES ? postgresMissing() : "--no-postgres";
const server = pgMissing ? undefined : await PostgresServer.start({ durable: true });
try {
  const end = Date.now() - 2 * DAY;
  const histories = [
    { name: "empty", days: 0, events: 0 },
    { name: "a quarter", days: 91, events: Math.round((HISTORY * 91) / 365 / 2) * 2 },
    { name: "a year", days: 365, events: HISTORY },
  ];
  const kinds: Array<{ label: string; target: (name: string) => Promise<Target> }> = [
    { label: "SQLite", target: async (name) => ({ kind: "sqlite", file: join(dir, `${name}.db`) }) },
  ];
  if (server) kinds.push({ label: "PostgreSQL", target: async () => ({ kind: "postgres", url: await server.createDatabase("bench") }) });
  const stores: Array<{ kind: string; name: string; target: Target; events: number }> = [];
  const warmUps: Target[] = [];
  const t0 = performance.now();
  for (const k of kinds) {
    warmUps.push(await k.target("warm-up"));
    for (const h of histories) {
      const target = await k.target(h.name.replace(" ", "-"));
      if (h.events > 0) await seedHistory(target, end, h.days, h.events);
      stores.push({ kind: k.label, name: h.name, target, events: h.events });
    }
  }
  const seedS = (performance.now() - t0) / 1000;
  // A round not counted, on stores of their own: the JIT compiles the whole path first.
  for (const [i, w] of warmUps.entries()) {
    await overHttp(w, `w${i}`);
    await raw(w, `wr${i}`);
  }
  // Interleaved rounds, each store's HTTP run followed by its raw run: a machine whose load changes
  // over the minutes of the run shifts every column alike, and the median drops the odd round.
  const runs = stores.map(() => ({ http: [] as number[], raw: [] as number[], cpuUs: [] as number[] }));
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, s] of stores.entries()) {
      const h = await overHttp(s.target, `h${r}`);
      runs[i]!.http.push(h.rate);
      runs[i]!.cpuUs.push(h.cpuUs);
      runs[i]!.raw.push(await raw(s.target, `r${r}`));
    }
  const storm = await stormFigures();
  const rows = stores.map((s, i) => ({
    kind: s.kind,
    name: `${s.kind}, ${s.events > 0 ? `${s.name} (${fmt(s.events)} events, ${fmt(OPEN)} open)` : s.name}`,
    http: median(runs[i]!.http),
    raw: median(runs[i]!.raw),
    cpuUs: median(runs[i]!.cpuUs),
    spread: runs[i]!.http.map(fmt).join(" / "),
  }));
  const emptyOf = (kind: string) => rows.find((r) => r.kind === kind)!;
  const goals = kinds.map(({ label }) => {
    const empty = emptyOf(label);
    const year = rows.filter((r) => r.kind === label).at(-1)!;
    const slower = 1 - year.http / empty.http;
    return `${label} after a year: ${fmt(year.http)} events/s, ${(year.http / year.raw).toFixed(2)}x raw, ${Math.abs(slower * 100).toFixed(0)} % ${slower >= 0 ? "slower" : "faster"} than empty — >= 5,000/s ${met(year.http >= 5000)}; >= 0.5x raw ${met(year.http / year.raw >= 0.5)}; < 20 % slower ${met(slower < 0.2)}`;
  });
  console.log(
    [
      `ingest over HTTP: ${ROUNDS} interleaved rounds of ${BATCHES - WARMUP} batches of ${BATCH} per store (SQLite WAL, fsync per commit; PostgreSQL with fsync and synchronous_commit on), medians; history seeded in ${seedS.toFixed(0)} s`,
      `  ${pad("store", 52)}${pad("events/s", 10)}${pad("raw insert", 12)}${pad("x raw", 7)}${pad("x empty", 9)}${pad("CPU us/event", 14)}rounds (events/s)`,
      ...rows.map(
        (r) =>
          `  ${pad(r.name, 52)}${pad(fmt(r.http), 10)}${pad(fmt(r.raw), 12)}${pad((r.http / r.raw).toFixed(2), 7)}${pad((r.http / emptyOf(r.kind).http).toFixed(2), 9)}${pad(fmt(r.cpuUs), 14)}${r.spread}`,
      ),
      ...(pgMissing ? [`  PostgreSQL not measured: ${pgMissing}`] : []),
      `storm (SQLite): ${storm.devices} devices unreachable: committed and folded (${storm.folded}) in ${fmt(storm.ms)} ms; API p99 ${storm.apiP99Ms.toFixed(0)} ms over ${storm.requests} requests; event loop held at most ${storm.heldCpuMs.toFixed(0)} ms of CPU (wall-clock delay max ${storm.loopMaxMs.toFixed(0)} ms)`,
      ...goals.map((g) => `goals: ${g}`),
      `goal: storm API p99 < 100 ms ${met(storm.apiP99Ms < 100)}`,
    ].join("\n"),
  );
} finally {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
