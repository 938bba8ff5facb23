/**
 * npm run bench:report — time to build the client's quarter report for 250 faults: the HTML page
 * (figures, tables, three ECharts SVG charts, QR code) and the PDF (pdfkit, Noto Sans CJK subset, the
 * same charts drawn by svg-to-pdfkit).
 * Goal: under 1 s each. Median of 5 runs after one warm-up (first use loads fonts and ECharts).
 */
import { apply, type Command, defaultPolicy, emptyState, parsePeriod } from "../collector/domain/index.ts";
import { reportPage } from "../collector/http/ui/report.tsx";
import { documentHtml } from "../collector/http/ui/jsx/jsx-runtime.ts";
import { buildReport } from "../collector/report/data.ts";
import { reportPdf } from "../collector/report/pdf.ts";

const FAULTS = 250;
const tz = "Asia/Shanghai";
const start = Date.parse("2026-07-01T00:00:00+08:00");
const classes = ["major", "severe", "general"] as const;
const cmds: Command[] = [];
for (let i = 0; i < FAULTS; i++) {
  const at = start + i * 8.5 * 3600_000;
  const id = `F-${String(i).padStart(4, "0")}`;
  cmds.push({ type: "open", at, faultId: id, device: `dev-${i % 40}`, class: classes[i % 3]!, title: `第 ${i} 号设备故障 fault ${i}`, by: "bench" });
  // Most handled in time, every seventh late, every thirteenth asks for an exemption.
  const late = i % 7 === 0;
  cmds.push({ type: "ack", at: at + (late ? 40 : 10) * 60_000, fault: id, by: "li.gong" });
  cmds.push({ type: "resolve", at: at + (late ? 30 : 1) * 3600_000, fault: id, by: "li.gong" });
  if (i % 13 === 0) cmds.push({ type: "exempt", at: at + 31 * 3600_000, fault: id, reason: "市政停电 municipal outage", evidence: "供电局通知", by: "li.gong" });
}
cmds.sort((a, b) => a.at - b.at);
let state = emptyState();
let n = 0;
for (const cmd of cmds) {
  const res = apply(state, cmd, { now: cmd.at, policy: defaultPolicy, inventory: { devices: {} }, newId: () => `A${++n}` });
  if (!res.ok) throw new Error(res.error.message);
  state = res.state;
}
const period = parsePeriod("2026Q3", tz);
if (!("start" in period)) throw new Error(period.message);
const now = Date.parse("2026-10-08T10:00:00+08:00");

async function html(): Promise<number> {
  const r = buildReport({ period: period as never, faults: Object.values(state.faults), windows: [], policy: defaultPolicy, inventory: { devices: {} }, now, head: { seq: 1, hash: "0".repeat(64) } });
  return documentHtml(await reportPage(r, "zh", now)).length;
}
async function pdf(): Promise<number> {
  const r = buildReport({ period: period as never, faults: Object.values(state.faults), windows: [], policy: defaultPolicy, inventory: { devices: {} }, now, head: { seq: 1, hash: "0".repeat(64) } });
  return (await reportPdf(r, "zh")).length;
}

async function time(what: string, fn: () => Promise<number>): Promise<void> {
  await fn();
  const runs: number[] = [];
  let size = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    size = await fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const median = runs[2]!;
  process.stdout.write(
    `${what}: ${median.toFixed(0)} ms median for ${FAULTS} faults (${(size / 1024).toFixed(0)} KiB); goal 1000 ms → ratio ${(median / 1000).toFixed(2)}\n`,
  );
}

await time("quarter report HTML", html);
await time("quarter report PDF ", pdf);
