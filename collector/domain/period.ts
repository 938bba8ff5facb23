/** Assessment periods (quarter or month) in the site time zone, half-open [start, end). */
import { formatInstant, wallTime, zonedTimeToInstant } from "./time-format.ts";
import type { DomainError, Period } from "./types.ts";

function monthStart(year: number, month: number, timeZone: string): number {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((((month - 1) % 12) + 12) % 12) + 1;
  return zonedTimeToInstant({ year: y, month: m, day: 1, hour: 0, minute: 0, second: 0 }, timeZone);
}

/** "2026Q1" (quarter) or "2026-03" (month); anything else is INVALID_PERIOD. */
export function parsePeriod(text: string, timeZone: string): Period | DomainError {
  const q = /^(\d{4})Q([1-4])$/.exec(text);
  if (q) {
    const year = Number(q[1]);
    const first = (Number(q[2]) - 1) * 3 + 1;
    return {
      label: text,
      start: monthStart(year, first, timeZone),
      end: monthStart(year, first + 3, timeZone),
    };
  }
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    return {
      label: text,
      start: monthStart(year, month, timeZone),
      end: monthStart(year, month + 1, timeZone),
    };
  }
  return {
    code: "INVALID_PERIOD",
    message: `expected a quarter such as 2026Q1 or a month such as 2026-03, got ${JSON.stringify(text)}`,
  };
}

/** The quarter an instant falls in, in the site time zone. */
export function quarterOf(instant: number, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  return `${w.year}Q${Math.floor((w.month - 1) / 3) + 1}`;
}

export function inPeriod(instant: number, period: Period): boolean {
  return instant >= period.start && instant < period.end;
}

export function describePeriod(period: Period, timeZone: string): string {
  return `${period.label} [${formatInstant(period.start, timeZone)}, ${formatInstant(period.end, timeZone)})`;
}
