/**
 * The report as titled tables of text — one source for the HTML page, the CSV and the PDF, so the three
 * can never disagree on a figure.
 */
import { formatInstant } from "../domain/index.ts";
import { AGE_BUCKETS, type AgeBucket } from "../domain/inspections/hazard.ts";
import type { InspectionSummary } from "../domain/inspections/summary.ts";
import { readableTitle } from "../http/ui/conditions.ts";
import { CLASS_NAMES, DEADLINE_NAMES, type Lang } from "../http/ui/i18n.ts";
import type { ReportData } from "./data.ts";
import { EXEMPTION_STATUS, REPORT_WORDS } from "./words.ts";

export interface ReportSection {
  id: string;
  title: string;
  header: string[];
  rows: string[][];
}

/** "2026年第三季度" / "2026 Q3"; months "2026年7月" / "2026-07". */
export function periodName(label: string, lang: Lang): string {
  const q = /^(\d{4})Q([1-4])$/.exec(label);
  if (q) return lang === "zh" ? `${q[1]}年第${"一二三四"[Number(q[2]) - 1]}季度` : `${q[1]} Q${q[2]}`;
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m && lang === "zh") return `${m[1]}年${Number(m[2])}月`;
  return label;
}

/** Timeliness as the board shows it: floored to 0.01 %, so 99.999 % never reads as 100.00 %. */
export function percentText(x: number): string {
  return `${(Math.floor(x * 10000) / 100).toFixed(2)} %`;
}

export function yuanText(x: number): string {
  return `¥${x.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
}

/** "1小时05分钟" / "1 h 05 min" (seconds dropped; under a minute shows seconds). */
export function spanText(seconds: number, lang: Lang): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return lang === "zh" ? `${s}秒` : `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (lang === "zh") return h ? `${h}小时${String(m).padStart(2, "0")}分钟` : `${m}分钟`;
  return h ? `${h} h ${String(m).padStart(2, "0")} min` : `${m} min`;
}

export function reportSections(r: ReportData, lang: Lang): ReportSection[] {
  const w = REPORT_WORDS[lang];
  const t = (at: number | undefined) =>
    at === undefined ? "" : formatInstant(at, r.timeZone).slice(0, 19).replace("T", " ");
  const cls = (c: string) => CLASS_NAMES[lang][c] ?? c;
  const k = r.kpi;
  const none = (rows: string[][], width: number) =>
    rows.length ? rows : [[w.none, ...Array(width - 1).fill("")]];
  return [
    {
      id: "kpi",
      title: w.kpiTable,
      header: [w.indicator, w.value],
      rows: [
        [w.period, periodName(r.period.label, lang)],
        [w.total, String(k.total)],
        [w.met, String(k.met)],
        [w.breached, String(k.breached)],
        [w.exempted, String(k.exempted)],
        [w.planned, String(k.planned)],
        [w.pending, String(k.pending)],
        [w.timeliness, percentText(k.timeliness)],
        [w.target, percentText(k.target)],
        [w.verdict, k.metTarget ? w.pass : w.fail],
        [w.deduction, yuanText(k.deductionCny)],
      ],
    },
    {
      id: "breaches",
      title: w.breaches,
      header: [w.faultId, w.faultTitle, w.device, w.class, w.deadline, w.limit, w.due, w.done, w.missedBy],
      rows: none(
        r.breaches.map((b) => [
          b.faultId,
          readableTitle({ title: b.title, condition: b.condition, device: b.deviceId }, b.device, lang),
          b.device,
          cls(b.class),
          DEADLINE_NAMES[lang][b.deadline] ?? b.deadline,
          spanText(b.limitSeconds, lang),
          t(b.due),
          b.done === undefined ? w.notDone : t(b.done),
          spanText(b.missedBySeconds, lang),
        ]),
        9,
      ),
    },
    {
      id: "exemptions",
      title: w.exemptionLedger,
      header: [
        w.faultId,
        w.faultTitle,
        w.device,
        w.status,
        w.reason,
        w.evidence,
        w.requestedBy,
        w.requestedAt,
        w.decidedBy,
        w.decidedAt,
        w.decisionReason,
      ],
      rows: none(
        r.exemptions.map((e) => [
          e.faultId,
          readableTitle({ title: e.title, condition: e.condition, device: e.deviceId }, e.device, lang),
          e.device,
          EXEMPTION_STATUS[lang][e.status] ?? e.status,
          e.reason,
          e.evidence ?? "",
          e.requestedBy,
          t(e.requestedAt),
          e.decidedBy ?? "",
          t(e.decidedAt),
          e.decisionReason ?? "",
        ]),
        11,
      ),
    },
    {
      id: "windows",
      title: w.plannedWork,
      header: [w.scope, w.start, w.end, w.announced, w.notice, w.reason, w.by],
      rows: none(
        r.windows.map((x) => [
          x.scope.join(lang === "zh" ? "、" : ", "),
          t(x.start),
          t(x.end),
          t(x.announced),
          `${spanText(x.noticeSeconds, lang)} (${x.noticeViolation ? w.noticeViolation : w.noticeOk})`,
          x.reason,
          x.by,
        ]),
        7,
      ),
    },
    {
      id: "months",
      title: w.months,
      header: [w.month, w.met, w.breached, w.timeliness],
      rows: r.months.map((m) => [
        periodName(m.label, lang),
        String(m.kpi.met),
        String(m.kpi.breached),
        percentText(m.kpi.timeliness),
      ]),
    },
    {
      id: "classes",
      title: w.perClass,
      header: [w.class, w.count],
      rows: (["major", "severe", "general"] as const).map((c) => [cls(c), String(r.faultsPerClass[c])]),
    },
    {
      id: "times",
      title: w.times,
      header: [w.class, w.deadline, w.limit, w.count, w.average, w.max],
      rows: r.times.map((x) => [
        cls(x.class),
        DEADLINE_NAMES[lang][x.deadline] ?? x.deadline,
        spanText(x.limitSeconds, lang),
        String(x.count),
        x.count ? spanText(x.averageSeconds, lang) : "",
        x.count ? spanText(x.maxSeconds, lang) : "",
      ]),
    },
    ...(r.inspections ? [inspectionSection(r.inspections, lang)] : []),
  ];
}

const AGE_NAMES: Record<Lang, Record<AgeBucket, string>> = {
  zh: { lt_1d: "不足1天", "1d_7d": "1–7天", "7d_30d": "7–30天", ge_30d: "30天以上" },
  en: { lt_1d: "under 1 day", "1d_7d": "1–7 days", "7d_30d": "7–30 days", ge_30d: "30 days or more" },
};

/** The period's inspection rounds (done on time, late, overdue) and hidden-hazard loop, as one table. */
function inspectionSection(i: InspectionSummary, lang: Lang): ReportSection {
  const w = REPORT_WORDS[lang];
  const n = (x: number) => String(x);
  return {
    id: "inspections",
    title: w.inspections,
    header: [w.indicator, w.value],
    rows: [
      [w.roundsScheduled, n(i.rounds.scheduled)],
      [w.roundsOnTime, n(i.rounds.doneOnTime)],
      [w.roundsLate, n(i.rounds.doneLate)],
      [w.roundsOverdue, n(i.rounds.overdue)],
      [w.roundsPending, n(i.rounds.pending)],
      [w.roundsOnTimeRatio, i.rounds.onTimeRatio === null ? w.none : percentText(i.rounds.onTimeRatio)],
      [w.abnormalItems, n(i.rounds.abnormalItems)],
      [w.hazardsReported, n(i.hazards.reported)],
      [w.hazardsClosed, n(i.hazards.closed)],
      [w.hazardsOpen, n(i.hazards.open)],
      ...AGE_BUCKETS.map((b) => [
        `${w.hazardsOpenByAge} · ${AGE_NAMES[lang][b]}`,
        n(i.hazards.openByAge[b] ?? 0),
      ]),
    ],
  };
}
