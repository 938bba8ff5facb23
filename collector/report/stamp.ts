/**
 * The line every report carries (HTML meta, CSV first row, PDF keywords and footer): what period, made
 * when, from which audit chain head, with which figures. `watchfloor report verify` reads it back and
 * checks it against the record. ASCII only, so it survives every format unchanged.
 */
import { formatInstant } from "../domain/index.ts";
import type { ReportData } from "./data.ts";

export interface ReportStamp {
  period: string;
  generatedAt: string;
  seq: number;
  head: string;
  figures: {
    total: number;
    met: number;
    breached: number;
    exempted: number;
    planned: number;
    pending: number;
  };
  timeliness: number;
  deduction: number;
}

export function stampOf(r: ReportData): ReportStamp {
  const k = r.kpi;
  return {
    period: r.period.label,
    generatedAt: formatInstant(r.generatedAt, r.timeZone),
    seq: r.head?.seq ?? 0,
    head: r.head?.hash ?? "none",
    figures: {
      total: k.total,
      met: k.met,
      breached: k.breached,
      exempted: k.exempted,
      planned: k.planned,
      pending: k.pending,
    },
    timeliness: k.timeliness,
    deduction: k.deductionCny,
  };
}

export function stampLine(s: ReportStamp): string {
  const f = s.figures;
  return (
    `watchfloor-report v1 period=${s.period} generated=${s.generatedAt} audit-seq=${s.seq} audit-head=${s.head} ` +
    `total=${f.total} met=${f.met} breached=${f.breached} exempted=${f.exempted} planned=${f.planned} ` +
    `pending=${f.pending} timeliness=${s.timeliness} deduction=${s.deduction}`
  );
}

const LINE =
  /watchfloor-report v1 period=(\S+) generated=(\S+) audit-seq=(\d+) audit-head=([0-9a-f]{64}|none) total=(\d+) met=(\d+) breached=(\d+) exempted=(\d+) planned=(\d+) pending=(\d+) timeliness=([0-9.eE-]+) deduction=([0-9.]+)/;

/** The stamp found anywhere in a report file's text (undefined when there is none). */
export function findStamp(text: string): ReportStamp | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i]);
  return {
    period: m[1]!,
    generatedAt: m[2]!,
    seq: n(3),
    head: m[4]!,
    figures: { total: n(5), met: n(6), breached: n(7), exempted: n(8), planned: n(9), pending: n(10) },
    timeliness: n(11),
    deduction: n(12),
  };
}

/** What the report's QR code says: the audit chain's head the report was made from. */
export function qrText(r: { head?: { seq: number; hash: string } }): string {
  return `watchfloor:audit-head:${r.head?.seq ?? 0}:${r.head?.hash ?? "none"}`;
}
