/**
 * The report as CSV for Excel: UTF-8 with a byte-order mark (Excel guesses ANSI without it), CRLF, RFC
 * 4180 quoting. A cell a person wrote that starts like a formula (= + - @) gets a leading apostrophe, so
 * Excel shows it instead of running it.
 */
import type { Lang } from "../http/ui/i18n.ts";
import type { ReportData } from "./data.ts";
import { periodName, reportSections } from "./sections.ts";
import { stampLine, stampOf } from "./stamp.ts";
import { REPORT_WORDS } from "./words.ts";

const FORMULA = /^[=+\-@\t\r]/;

/** Every row of the CSV, as the cells a CSV reader gives back. */
export function csvRows(r: ReportData, lang: Lang): string[][] {
  const w = REPORT_WORDS[lang];
  const rows: string[][] = [[stampLine(stampOf(r))], [w.title, periodName(r.period.label, lang)], []];
  for (const s of reportSections(r, lang)) rows.push([s.title], s.header, ...s.rows, []);
  return rows.map((row) => row.map((cell) => (FORMULA.test(cell) ? `'${cell}` : cell)));
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function reportCsv(r: ReportData, lang: Lang): string {
  return `\uFEFF${csvRows(r, lang)
    .map((row) => row.map(quote).join(","))
    .join("\r\n")}\r\n`;
}
