/**
 * The client's KPI report for any quarter or month: /ui/report (HTML), /ui/report.csv, /ui/report.pdf,
 * each with ?period=2026Q3 or 2026-07 (default: the current quarter). One ReportData feeds all three.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import QRCode from "qrcode";
import { parsePeriod, quarterOf } from "../../domain/index.ts";
import { reportCsv } from "../../report/csv.ts";
import { buildReport, type ReportData } from "../../report/data.ts";
import { periodName, reportSections } from "../../report/sections.ts";
import { qrText, stampLine, stampOf } from "../../report/stamp.ts";
import { REPORT_WORDS } from "../../report/words.ts";
import { Message } from "./format.tsx";
import type { Lang } from "./i18n.ts";
import { raw } from "./jsx/jsx-runtime.ts";
import { Layout } from "./layout.tsx";
import { onSession, sendHtml, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";

const READERS = ["client_auditor", "facility_manager", "engineer"] as const;

/** The quarters to offer: the current one and the seven before it, newest first; then this year's months. */
function periodChoices(now: number, tz: string): string[] {
  const current = quarterOf(now, tz);
  let year = Number(current.slice(0, 4));
  let q = Number(current.slice(5));
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    out.push(`${year}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  const thisYear = current.slice(0, 4);
  for (let m = 12; m >= 1; m--) {
    const label = `${thisYear}-${String(m).padStart(2, "0")}`;
    const p = parsePeriod(label, tz);
    if ("start" in p && p.start <= now) out.push(label);
  }
  return out;
}

async function reportFor(deps: UiDeps, label: string): Promise<ReportData | undefined> {
  const period = parsePeriod(label, deps.policy.timezone);
  if (!("start" in period)) return undefined;
  const head = await deps.store.auditHead();
  return buildReport({
    period,
    faults: await deps.faults.faults(period),
    windows: deps.faults.windows(),
    policy: deps.policy,
    inventory: deps.inventory,
    now: deps.clock.now(),
    ...(head ? { head } : {}),
    ...(deps.inspections ? { inspections: await deps.inspections.summary(period) } : {}),
  });
}

function ReportBody(p: {
  r: ReportData;
  lang: Lang;
  qrSvg: string;
  choices: string[];
  charts: Array<{ id: string; title: string; svg: string }>;
}) {
  const { r, lang } = p;
  const w = REPORT_WORDS[lang];
  const q = `period=${encodeURIComponent(r.period.label)}`;
  return (
    <>
      <form method="get" action="/ui/report" class="period-form">
        <label>
          {w.period}
          <select name="period" id="period">
            {p.choices.map((c) => (
              <option value={c} selected={c === r.period.label}>
                {periodName(c, lang)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">OK</button>
      </form>
      <p class="downloads">
        <a href={`/ui/report.csv?${q}&lang=${lang}`} id="download-csv" download>
          CSV
        </a>
        <a href={`/ui/report.pdf?${q}&lang=${lang}`} id="download-pdf" download>
          PDF
        </a>
      </p>
      {reportSections(r, lang).map((s) => (
        <section id={`report-${s.id}`}>
          <h2>{s.title}</h2>
          <div class="table-wrap">
            <table class="list">
              <thead>
                <tr>
                  {s.header.map((h) => (
                    <th>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {s.rows.map((row) => (
                  <tr>
                    {row.map((c) => (
                      <td>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      {p.charts.map((c) => (
        <section id={c.id} class="chart">
          <h2>{c.title}</h2>
          {raw(c.svg)}
        </section>
      ))}
      <section id="audit-head">
        <h2>{w.auditHead}</h2>
        <div class="qr">{raw(p.qrSvg)}</div>
        <p>
          <code>{`seq ${r.head?.seq ?? 0} · ${r.head?.hash ?? "none"}`}</code>
        </p>
        <p class="muted">{w.auditNote}</p>
      </section>
    </>
  );
}

/** The whole HTML report page (the bench renders it too). */
export async function reportPage(r: ReportData, lang: Lang, now: number, viewer?: Viewer) {
  const qrSvg = await QRCode.toString(qrText(r), { type: "svg", margin: 1 });
  // ECharts (and, for the PDF, pdfkit) load on the first report, not at start: they cost the collector
  // ~0.6 s of start-up and ~25 MB it does not need until someone asks for a report.
  const { reportCharts } = await import("../../report/charts.ts");
  const charts = reportCharts(r, lang);
  const title = `${periodName(r.period.label, lang)} ${REPORT_WORDS[lang].title}`;
  return (
    <Layout
      title={title}
      path="/ui/report"
      lang={lang}
      viewer={viewer}
      meta={{ "watchfloor-report": stampLine(stampOf(r)) }}
    >
      <ReportBody r={r} lang={lang} qrSvg={qrSvg} choices={periodChoices(now, r.timeZone)} charts={charts} />
    </Layout>
  );
}

/** The period asked for (default the current quarter); undefined when `period` is given more than once. */
function periodOf(req: FastifyRequest, deps: UiDeps): string | undefined {
  const asked = (req.query as Record<string, unknown>)["period"];
  // Given twice, it is a 400 as on the API: answering one of them would show a period nobody chose.
  if (Array.isArray(asked)) return undefined;
  return typeof asked === "string" && asked ? asked : quarterOf(deps.clock.now(), deps.policy.timezone);
}

function badPeriod(req: FastifyRequest, reply: FastifyReply, label: string | undefined) {
  const v = viewerOf(req);
  const what =
    label !== undefined ? `period ${label}` : v.lang === "zh" ? "period 参数只能给一次" : "period given more than once";
  return sendHtml(
    reply,
    400,
    <Layout title={v.w.report} path="/ui/report" lang={v.lang} viewer={v}>
      <Message kind="error" text={`${v.w.badRequest}: ${what} (2026Q3, 2026-07)`} />
    </Layout>,
  );
}

export async function reportPages(scope: UiScope, deps: UiDeps): Promise<void> {
  scope.get("/ui/report", onSession(READERS), async (req, reply) => {
    const v = viewerOf(req);
    const label = periodOf(req, deps);
    const r = label === undefined ? undefined : await reportFor(deps, label);
    if (!r) return badPeriod(req, reply, label);
    return sendHtml(reply, 200, await reportPage(r, v.lang, deps.clock.now(), v));
  });

  const download = (
    ext: "csv" | "pdf",
    type: string,
    make: (r: ReportData, lang: Lang) => string | Promise<Buffer>,
  ) =>
    scope.get(`/ui/report.${ext}`, onSession(READERS), async (req, reply) => {
      const label = periodOf(req, deps);
      const r = label === undefined ? undefined : await reportFor(deps, label);
      if (!r) return badPeriod(req, reply, label);
      return reply
        .type(type)
        .header("content-disposition", `attachment; filename="watchfloor-kpi-${r.period.label}.${ext}"`)
        .send(await make(r, viewerOf(req).lang));
    });
  download("csv", "text/csv; charset=utf-8", reportCsv);
  download("pdf", "application/pdf", async (r, lang) =>
    (await import("../../report/pdf.ts")).reportPdf(r, lang),
  );
}
