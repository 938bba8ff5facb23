/**
 * Cron expressions for inspection schedules, expanded in the site's time zone (pure: no clock).
 *
 * Five fields — minute hour day-of-month month day-of-week — each `*`, a number, a range `a-b`,
 * a step `* /n` or `a-b/n`, or a comma list of those; day-of-month also takes `L` (the last day of
 * the month). Day-of-week is 0–7 (0 and 7 are Sunday). An expression may restrict day-of-month or
 * day-of-week, not both: classic cron fires when either matches, node-cron (which triggers the
 * collector) when both do, so such an expression would mean two different things.
 */
import { type WallTime, wallTime, zonedTimeToInstant } from "../time-format.ts";

export interface CronSpec {
  text: string;
  minutes: number[];
  hours: number[];
  /** Days 1–31; empty with `lastDay` for "L" only. */
  days: number[];
  lastDay: boolean;
  /** True when the day-of-month field is `*` (any day). */
  anyDay: boolean;
  months: number[];
  /** 0–6, Sunday 0. */
  weekdays: number[];
  anyWeekday: boolean;
}

export type CronParse = { ok: true; spec: CronSpec } | { ok: false; message: string };

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

function parseField(text: string, min: number, max: number, name: string): number[] | string {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `${name}: cannot read ${JSON.stringify(part)} (expected *, N, A-B, */N or A-B/N)`;
    let lo = min;
    let hi = max;
    if (m[1] !== "*") {
      lo = Number(m[2]);
      hi = m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    }
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi) return `${name}: ${part} is outside ${min}-${max}`;
    if (step < 1) return `${name}: step must be at least 1 in ${part}`;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

export function parseCron(text: string): CronParse {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5)
    return {
      ok: false,
      message: `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length} in ${JSON.stringify(text)}`,
    };
  const values: number[][] = [];
  let lastDay = false;
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i]!;
    let raw = parts[i]!;
    if (i === 2) {
      const list = raw.split(",");
      lastDay = list.includes("L");
      raw = list.filter((p) => p !== "L").join(",");
      if (raw === "") {
        values.push([]);
        continue;
      }
    }
    const parsed = parseField(raw, f.min, f.max, f.name);
    if (typeof parsed === "string") return { ok: false, message: parsed };
    values.push(parsed);
  }
  const anyDay = parts[2] === "*";
  const anyWeekday = parts[4] === "*";
  if (!anyDay && !anyWeekday)
    return {
      ok: false,
      message:
        "restrict day-of-month or day-of-week, not both (cron implementations disagree on what that means)",
    };
  const weekdays = [...new Set(values[4]!.map((d) => d % 7))].sort((a, b) => a - b);
  const months = values[3]!;
  const days = values[2]!;
  if (!lastDay && !anyDay && !months.some((m) => days.some((d) => d <= DAYS_IN_MONTH_MAX[m - 1]!)))
    return { ok: false, message: `day-of-month ${parts[2]} never occurs in month ${parts[3]}` };
  return {
    ok: true,
    spec: {
      text,
      minutes: values[0]!,
      hours: values[1]!,
      days,
      lastDay,
      anyDay,
      months,
      weekdays,
      anyWeekday,
    },
  };
}

const DAYS_IN_MONTH_MAX = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayMatches(spec: CronSpec, year: number, month: number, day: number): boolean {
  if (!spec.months.includes(month)) return false;
  if (!spec.anyWeekday) return spec.weekdays.includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay());
  if (spec.anyDay) return true;
  return spec.days.includes(day) || (spec.lastDay && day === daysInMonth(year, month));
}

/**
 * Every firing in (after, upTo] — after exclusive, upTo inclusive — in the zone, oldest first, at
 * most `limit`. A wall time the zone skips (a DST gap) does not fire; a wall time it repeats fires once.
 */
export function firingsBetween(
  spec: CronSpec,
  after: number,
  upTo: number,
  timeZone: string,
  limit = 10_000,
): number[] {
  const out: number[] = [];
  if (upTo <= after) return out;
  const start = wallTime(after, timeZone);
  const end = wallTime(upTo, timeZone);
  // Walk calendar days (in UTC arithmetic: only the date matters) from the first to the last.
  let d = Date.UTC(start.year, start.month - 1, start.day);
  const last = Date.UTC(end.year, end.month - 1, end.day);
  for (; d <= last && out.length < limit; d += 86_400_000) {
    const date = new Date(d);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (!dayMatches(spec, year, month, day)) continue;
    for (const hour of spec.hours)
      for (const minute of spec.minutes) {
        const w: WallTime = { year, month, day, hour, minute, second: 0 };
        const t = zonedTimeToInstant(w, timeZone);
        const back = wallTime(t, timeZone);
        if (back.hour !== hour || back.minute !== minute || back.day !== day) continue;
        if (t > after && t <= upTo) out.push(t);
        if (out.length >= limit) return out;
      }
  }
  return out;
}

/** The first firing strictly after `after` (searching up to ~5 years ahead), or undefined. */
export function nextFiring(spec: CronSpec, after: number, timeZone: string): number | undefined {
  const YEAR = 366 * 86_400_000;
  for (let from = after; from < after + 5 * YEAR; from += YEAR) {
    const found = firingsBetween(spec, from, from + YEAR, timeZone, 1);
    if (found.length > 0) return found[0];
  }
  return undefined;
}
