/**
 * The client's KPI report: its figures equal `watchfloor replay` (the CLI, in its own process) and
 * /api/v1/kpi; the CSV parses back, with Python's csv module, to the same rows; the PDF's text, read by
 * poppler's pdftotext, carries the figures and its three charts (their words and bar labels, by position).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { defaultPolicy, parsePeriod, parseScenario, runScenario } from "../../collector/domain/index.ts";
import { csvRows, reportCsv } from "../../collector/report/csv.ts";
import { buildReport } from "../../collector/report/data.ts";
import { CJK_FONT, reportPdf } from "../../collector/report/pdf.ts";
import { findStamp } from "../../collector/report/stamp.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { bareSite } from "../harness/bare-site.ts";
import { ROOT } from "../harness/process.ts";
import { getPage, login, openFault, uiCollector, visibleText } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "wf-report-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Python's csv module reads the file back (an independent CSV reader), BOM handled by utf-8-sig. */
function pythonCsv(file: string): string[][] {
  const out = execFileSync(
    "/usr/bin/python3",
    ["-c", "import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))))", file],
    { encoding: "utf8" },
  );
  return JSON.parse(out) as string[][];
}

const missing = [
  existsSync("/usr/bin/pdftotext") ? undefined : "pdftotext (apt-get install poppler-utils)",
  existsSync(CJK_FONT.file) ? undefined : "Noto Sans CJK (apt-get install fonts-noto-cjk)",
].filter(Boolean);

interface PdfWord {
  page: number;
  x: number;
  y: number;
  text: string;
}

/** Every word of a PDF with its page and centre, as poppler's `pdftotext -bbox` reads them. */
function pdfWords(file: string): PdfWord[] {
  const xml = execFileSync("pdftotext", ["-bbox", file, "-"], { encoding: "utf8" });
  const words: PdfWord[] = [];
  let page = 0;
  for (const m of xml.matchAll(
    /<page\b|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (m[0] === "<page") page++;
    else
      words.push({
        page,
        x: (Number(m[1]) + Number(m[3])) / 2,
        y: (Number(m[2]) + Number(m[4])) / 2,
        text: m[5]!,
      });
  }
  return words;
}

/**
 * The words of the chart titled `title` by position: below its last occurrence (the tables come first)
 * on that page, above the next heading `next` when it is on the same page.
 */
function chartWords(words: PdfWord[], title: string, next: string): PdfWord[] {
  const byPosition = [...words].sort((a, b) => a.page - b.page || a.y - b.y || a.x - b.x);
  const head = byPosition.filter((w) => w.text === title).at(-1);
  expect(head, `chart ${title}`).toBeDefined();
  const end =
    byPosition.find((w) => w.text === next && w.page === head!.page && w.y > head!.y)?.y ??
    Number.POSITIVE_INFINITY;
  return byPosition.filter((w) => w.page === head!.page && w.y > head!.y && w.y < end);
}

/** The figure drawn right over a category label (a bar's value label): the nearest number above it. */
function labelOver(chart: PdfWord[], category: string): string | undefined {
  const at = chart.find((w) => w.text === category);
  expect(at, `category ${category}`).toBeDefined();
  return chart
    .filter((w) => /^\d+(\.\d+)?$/.test(w.text) && Math.abs(w.x - at!.x) < 15 && w.y < at!.y)
    .sort((a, b) => b.y - a.y)
    .map((w) => w.text)[0];
}

/** "2026Q1" → ["2026-01", "2026-02", "2026-03"]. */
function monthsOf(quarter: string): string[] {
  const first = (Number(quarter.slice(5)) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${quarter.slice(0, 4)}-${String(first + i).padStart(2, "0")}`);
}

const SCENARIOS = [
  { file: "windows-exemptions.jsonl", quarter: "2026Q1" },
  { file: "quarter-edges.jsonl", quarter: "2026Q1" },
  { file: "reclassify-reopen.jsonl", quarter: "2026Q1" },
];

describe.skipIf(skipWithout(missing.length ? missing.join(", ") : undefined, "report PDF and CSV"))(
  "the KPI report against watchfloor replay",
  () => {
    it.each(SCENARIOS)("$file $quarter: figures equal replay's; CSV round-trips; the PDF's text has them", async ({ file, quarter }) => {
      const path = join(ROOT, "config/scenarios", file);
      const cli = spawnSync(process.execPath, [join(ROOT, "bin/watchfloor.mjs"), "replay", path, "--quarter", quarter], {
        encoding: "utf8",
        env: { ...process.env, WATCHFLOOR_RUNTIME: "" },
      });
      expect(cli.status, cli.stderr).toBe(0);
      const replayed = JSON.parse(cli.stdout).kpi as Record<string, number | string | unknown[]>;

      const parsed = parseScenario(readFileSync(path, "utf8"));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed));
      const run = runScenario(parsed.lines, { quarter });
      if ("code" in run) throw new Error(run.message);
      const period = parsePeriod(quarter, "Asia/Shanghai");
      if (!("start" in period)) throw new Error(period.message);
      const report = buildReport({
        period,
        faults: Object.values(run.state.faults),
        windows: Object.values(run.state.windows),
        policy: defaultPolicy,
        inventory: { devices: {} },
        now: run.now,
        head: { seq: 42, hash: "a".repeat(64) },
      });
      for (const key of ["total", "met", "breached", "exempted", "planned", "pending", "timeliness"] as const)
        expect(report.kpi[key], key).toBe(replayed[key]);
      expect(report.kpi.deductionCny).toBe(replayed.deduction_cny);
      expect(report.breaches.map((b) => b.faultId)).toEqual((replayed.breaches as Array<{ fault: string }>).map((b) => b.fault));

      const csvFile = join(tmp, `${file}.csv`);
      const csv = reportCsv(report, "zh");
      expect(csv.startsWith("\uFEFF")).toBe(true);
      writeFileSync(csvFile, csv);
      const rows = pythonCsv(csvFile);
      // Python drops the empty separator rows' single empty cell; compare with the same rule.
      expect(rows).toEqual(csvRows(report, "zh").map((r) => (r.length === 0 ? [] : r)));
      expect(findStamp(csv)?.figures.breached).toBe(replayed.breached);

      const pdfFile = join(tmp, `${file}.pdf`);
      writeFileSync(pdfFile, await reportPdf(report, "zh"));
      const text = execFileSync("pdftotext", ["-layout", pdfFile, "-"], { encoding: "utf8" });
      expect(text).toContain("故障处理及时率考核报告");
      expect(text).toContain(`${(Math.floor((replayed.timeliness as number) * 10000) / 100).toFixed(2)} %`);
      expect(text).toMatch(new RegExp(`超时\\s+${replayed.breached}\\b`));
      expect(text).toMatch(new RegExp(`故障总数\\s+${replayed.total}\\b`));
      for (const b of report.breaches) expect(text).toContain(b.faultId);
      expect(findStamp(readFileSync(pdfFile, "latin1"))?.head).toBe("a".repeat(64));

      // The three charts, read back by poppler with each word's position: every bar's value label
      // stands over its category, and the values are replay's (per month: replay --period of that month).
      const words = pdfWords(pdfFile);
      const months = monthsOf(quarter).map((m) => {
        const out = spawnSync(process.execPath, [join(ROOT, "bin/watchfloor.mjs"), "replay", path, "--period", m], {
          encoding: "utf8",
          env: { ...process.env, WATCHFLOOR_RUNTIME: "" },
        });
        expect(out.status, out.stderr).toBe(0);
        const t = JSON.parse(out.stdout).kpi.timeliness as number;
        return { label: `${Number(m.slice(0, 4))}年${Number(m.slice(5))}月`, value: String(Math.floor(t * 10000) / 100) };
      });
      const monthChart = chartWords(words, "月度及时率", "各级别故障数");
      for (const m of months) expect(labelOver(monthChart, m.label), m.label).toBe(m.value);
      // The y axis in percent.
      for (const tick of ["0", "20", "40", "60", "80", "100"]) expect(monthChart.map((w) => w.text)).toContain(tick);

      const perClass = { 重大: 0, 严重: 0, 一般: 0 } as Record<string, number>;
      const names: Record<string, string> = { major: "重大", severe: "严重", general: "一般" };
      for (const f of JSON.parse(cli.stdout).faults as Array<{ class: string; opened_at: string }>)
        if (Date.parse(f.opened_at) >= period.start && Date.parse(f.opened_at) < period.end) perClass[names[f.class]!]! += 1;
      const classChart = chartWords(words, "各级别故障数", "处理用时与时限");
      for (const [cls, count] of Object.entries(perClass)) expect(labelOver(classChart, cls), cls).toBe(String(count));

      // Time to respond / resolve against the limit: the contract's deadlines as categories, the legend,
      // hours on the axis, which reaches the 24 h limit drawn on it.
      const timesText = chartWords(words, "处理用时与时限", "审计链头").map((w) => w.text);
      for (const word of ["平均用时", "最长用时", "时限要求", "小时", "重大·响应", "重大·处理", "严重·处理", "一般·处理"])
        expect(timesText).toContain(word);
      expect(Math.max(...timesText.filter((t) => /^\d+$/.test(t)).map(Number))).toBeGreaterThanOrEqual(24);
    });
  },
);

describe("the report in the web UI", () => {
  let h: Awaited<ReturnType<typeof uiCollector>> | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("the quarter's figures equal /api/v1/kpi in HTML, CSV and the stamp; user text is escaped, formulas defused", async () => {
    h = await uiCollector();
    const evil = `=HYPERLINK("http://x")<img src=x onerror=alert(1)>`;
    const late = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: evil });
    await openFault(h.app, h.tokens.engineer, { device: "sw-1", class: "general", title: "ok" });
    h.clock.set(Date.parse("2026-11-25T12:00:00+08:00"));
    // The record holds still between the report and the check of its stamp: no agent-liveness fault
    // (the clock jumped past the agents' grace) and the breach the jump made due recorded first.
    h.ctx.liveness.stop();
    await h.ctx.faults.dispatch({ type: "tick", at: h.clock.now() });
    const api = (
      await h.app.inject({ url: "/api/v1/kpi?period=2026Q4", headers: { authorization: `Bearer ${h.tokens.client_auditor}` } })
    ).json().kpi as Record<string, number>;
    expect(api.breached).toBe(1);
    const { cookie } = await login(h.app, h.tokens.client_auditor);
    const html = await getPage(h.app, "/ui/report?period=2026Q4", cookie);
    expect(html.statusCode).toBe(200);
    const text = visibleText(html.body);
    expect(text).toContain(`故障总数 ${api.total}`);
    expect(text).toContain(`超时 ${api.breached}`);
    expect(text).toContain("¥64,680");
    expect(text).toContain(late);
    expect(html.body).not.toContain("<img src=x");
    expect(html.body).toMatch(/<svg[^>]*>/);
    expect(html.body).not.toMatch(/<style|style="/);
    // The charts' font survives: ECharts writes it into a double-quoted attribute, so it must not hold quotes.
    expect(html.body).toContain('font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"');
    const stamp = findStamp(html.body)!;
    expect(stamp.figures).toEqual({
      total: api.total,
      met: api.met,
      breached: api.breached,
      exempted: api.exempted,
      planned: api.planned,
      pending: api.pending,
    });
    expect(stamp.head).toBe((await h.ctx.store.auditHead())!.hash);

    const csv = await getPage(h.app, "/ui/report.csv?period=2026Q4", cookie);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    expect(csv.body).toContain(`'${evil.replace(/"/g, '""')}`);
    const pdf = await getPage(h.app, "/ui/report.pdf?period=2026Q4", cookie);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");

    expect((await getPage(h.app, "/ui/report?period=2026Q9", cookie)).statusCode).toBe(400);
  });

  it("a period given twice is a 400 with a page saying so, as on the API (review L6)", async () => {
    h = await uiCollector();
    const twice = "period=2026Q1&period=2026Q4";
    const api = await h.app.inject({ url: `/api/v1/kpi?${twice}`, headers: { authorization: `Bearer ${h.tokens.client_auditor}` } });
    expect(api.statusCode).toBe(400);
    const { cookie } = await login(h.app, h.tokens.client_auditor);
    for (const path of ["/ui/report", "/ui/report.csv", "/ui/report.pdf"]) {
      const res = await getPage(h.app, `${path}?${twice}`, cookie);
      expect(res.statusCode, path).toBe(400);
      expect(res.headers["content-type"], path).toContain("text/html");
      expect(visibleText(res.body), path).toContain("period 参数只能给一次");
    }
  });
});

describe("watchfloor report verify", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-verify-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const verify = (file: string, site: string) =>
    spawnSync(process.execPath, [join(ROOT, "bin/watchfloor.mjs"), "report", "verify", file, "--config", site], {
      encoding: "utf8",
      // No secret in the environment: the command reads the policy and the store, never the agent token.
      env: { ...process.env, WATCHFLOOR_RUNTIME: "", WATCHFLOOR_AGENT_TOKEN: "" },
    });

  it("accepts the record's own report, refuses edited figures or a forged head, notes later entries", async () => {
    const site = bareSite(dir);
    const h = await uiCollector({ dbFile: join(dir, "collector", "collector.db") });
    try {
      await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "UPS 过载" });
      h.clock.set(Date.parse("2026-11-25T12:00:00+08:00"));
      // The record must hold still between the report and its check: no agent-liveness faults (the test
      // clock jumped hours past the agents' grace), and the breach the jump made due recorded first.
      h.ctx.liveness.stop();
      await h.ctx.faults.dispatch({ type: "tick", at: h.clock.now() });
      const { cookie } = await login(h.app, h.tokens.client_auditor);
      const csv = (await getPage(h.app, "/ui/report.csv?period=2026Q4", cookie)).body;
      const pdf = (await getPage(h.app, "/ui/report.pdf?period=2026Q4", cookie)).rawPayload;
      const files = { csv: join(dir, "r.csv"), pdf: join(dir, "r.pdf"), edited: join(dir, "edited.csv"), forged: join(dir, "forged.csv") };
      writeFileSync(files.csv, csv);
      writeFileSync(files.pdf, pdf);
      writeFileSync(files.edited, csv.replace(" breached=1 ", " breached=0 "));
      writeFileSync(files.forged, csv.replace(/audit-head=[0-9a-f]{64}/, `audit-head=${"b".repeat(64)}`));

      for (const f of [files.csv, files.pdf]) {
        const ok = verify(f, site);
        expect(ok.status, ok.stdout + ok.stderr).toBe(0);
        expect(ok.stdout).toMatch(/ok: figures equal the record: total \d+, met 0, breached 1,/);
      }
      const edited = verify(files.edited, site);
      expect(edited.status).toBe(1);
      expect(edited.stdout).toContain("MISMATCH: figures differ from the record: breached 0 (record: 1)");
      const forged = verify(files.forged, site);
      expect(forged.status).toBe(1);
      expect(forged.stdout).toContain("MISMATCH: the report names audit entry");

      // Work goes on after the report: it stays the record's, as of its time.
      await openFault(h.app, h.tokens.engineer, { device: "fw-1", class: "general", title: "later" });
      const later = verify(files.csv, site);
      expect(later.status).toBe(0);
      expect(later.stdout).toMatch(/note: \d+ entries were recorded after the report/);
    } finally {
      await h.close();
    }
    const none = join(dir, "none.txt");
    writeFileSync(none, "hello");
    expect(verify(none, site).status).toBe(1);
    // Six CLI processes, each starting tsx: slow on a busy two-core machine.
  }, 120_000);
});
