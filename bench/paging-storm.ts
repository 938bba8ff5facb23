/**
 * bench:paging-storm — what a storm's paging writes to the store. N devices become unreachable at once
 * (one major fault each, one group per step), then the escalation runs its course on a simulated clock:
 * the page, two repeats, the lead, the manager, the reminders, the breach, and the resolution notice.
 * After each step it prints the SQLite file's size (checkpointed, so the WAL is in it), the audit rows
 * and bytes (detail JSON) the step added, and the paging tables' bytes. Per-step audit bytes divided by
 * the fault count must stay flat as N grows (O(N) per step, not O(N²)); the ratio between the two sizes
 * run says so.
 *
 * The receiver is a local webhook (no robot is rate limited in the way); the store is a real SQLite
 * file on disk.
 *
 * usage: npm run bench:paging-storm [-- --faults 1500 --small 150]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { policySchema } from "../collector/domain/index.ts";
import type { ManualClock } from "../common/clock.ts";
import { notifications, pagingCollector, postStorm, START } from "../test/paging/harness.ts";
import { Receiver } from "../test/paging/receiver.ts";

const arg = (name: string, fallback: number) =>
  Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || fallback;
const FAULTS = arg("faults", 1500);
const SMALL = arg("small", 150);
const MIN = 60_000;

const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: "device.unreachable" }, class: "major" }] },
});
// config/notifications.example.yaml's major policy.
const major = {
  steps: [
    { after: 0, notify: ["oncall"], repeat: { every: "5m", times: 2 } },
    { after: "15m", notify: ["oncall", "lead"] },
    { after: "25m", notify: ["manager"] },
  ],
  reminders: [0.5, 0.8],
  remind: ["oncall", "lead"],
  breach: ["oncall", "lead", "manager"],
  resolved: ["oncall", "lead"],
};

interface StepFigures {
  step: string;
  fileBytes: number;
  auditRows: number;
  auditBytes: number;
  groupBytes: number;
  deliveryBytes: number;
}

async function storm(faults: number): Promise<StepFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), "wf-bench-storm-"));
  const file = join(dir, "collector.db");
  const hook = new Receiver();
  const url = await hook.start();
  const h = await pagingCollector({
    notifications: notifications({ hook: url }, { major }, { grouping: { wait: "10s" } }),
    policy: sla,
    dbFile: file,
  });
  const clock = h.clock as ManualClock;
  const db = h.store.db.sqlite!;
  const tableBytes = (table: string, expr: string) => {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    return has ? Number((db.prepare(`SELECT coalesce(sum(${expr}), 0) AS n FROM ${table}`).get() as { n: number }).n) : 0;
  };
  const figures: StepFigures[] = [];
  let last = { rows: 0, bytes: 0 };
  const measure = (step: string) => {
    db.pragma("wal_checkpoint(TRUNCATE)");
    const rows = Number((db.prepare("SELECT count(*) AS n FROM audit").get() as { n: number }).n);
    const bytes = tableBytes("audit", "length(detail)");
    figures.push({
      step,
      fileBytes: statSync(file).size,
      auditRows: rows - last.rows,
      auditBytes: bytes - last.bytes,
      groupBytes: tableBytes("page_groups", "length(fault_ids) + length(episodes)"),
      deliveryBytes: tableBytes("page_deliveries", "length(message) + length(fault_ids) + length(dedupe_key)"),
    });
    last = { rows, bytes };
  };
  await postStorm(h.app, faults, "firing", START);
  measure("faults opened");
  for (const [label, at] of [
    ["page", 11_000],
    ["repeat 1", 5 * MIN],
    ["repeat 2", 10 * MIN],
    ["lead + reminder 50%", 15 * MIN],
    ["reminder 80%", 24 * MIN],
    ["manager", 25 * MIN],
    ["breach (respond)", 30 * MIN],
  ] as const) {
    // Each step goes once its grouping wait (10 s) is over.
    clock.set(START + at + (at > 11_000 ? 11_000 : 0));
    await h.paging.settle();
    measure(label);
  }
  await postStorm(h.app, faults, "clear", START + 31 * MIN);
  clock.set(START + 32 * MIN);
  await h.paging.settle();
  measure("resolved");
  await h.close();
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const results = new Map<number, StepFigures[]>();
for (const n of [SMALL, FAULTS]) {
  const figures = await storm(n);
  results.set(n, figures);
  console.log(`\n${n} faults (one device.unreachable storm)`);
  console.log("step                  | store file | audit rows | audit bytes | per fault | page_groups | page_deliveries");
  for (const f of figures)
    console.log(
      `${f.step.padEnd(21)} | ${mb(f.fileBytes).padStart(10)} | ${String(f.auditRows).padStart(10)} | ${mb(f.auditBytes).padStart(11)} | ${`${Math.round(f.auditBytes / n)} B`.padStart(9)} | ${mb(f.groupBytes).padStart(11)} | ${mb(f.deliveryBytes).padStart(15)}`,
    );
}
const small = results.get(SMALL)!;
const big = results.get(FAULTS)!;
const perFault = (fs: StepFigures[], n: number) =>
  Math.max(...fs.filter((f) => f.step !== "faults opened").map((f) => f.auditBytes / n));
const ratio = perFault(big, FAULTS) / perFault(small, SMALL);
console.log(
  `\nlargest per-step audit bytes per fault: ${Math.round(perFault(small, SMALL))} B at ${SMALL}, ${Math.round(perFault(big, FAULTS))} B at ${FAULTS} (${ratio.toFixed(2)}x for ${(FAULTS / SMALL).toFixed(0)}x the faults; 1x is O(faults) per step)`,
);
console.log(`store file after the ${FAULTS}-fault storm's last step: ${mb(big.at(-1)!.fileBytes)} (${mb(big[0]!.fileBytes)} before paging)`);
