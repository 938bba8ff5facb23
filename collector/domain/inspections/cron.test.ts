import { CronExpressionParser } from "cron-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatInstant, parseInstant } from "../time-format.ts";
import { type CronSpec, firingsBetween, nextFiring, parseCron } from "./cron.ts";

const SH = "Asia/Shanghai";
const at = (iso: string) => parseInstant(iso)!;
const spec = (text: string): CronSpec => {
  const p = parseCron(text);
  if (!p.ok) throw new Error(p.message);
  return p.spec;
};
const fire = (text: string, from: string, to: string, tz = SH) =>
  firingsBetween(spec(text), at(from), at(to), tz).map((t) => formatInstant(t, tz));

describe("cron expressions (five fields, site zone)", () => {
  it("09:00 every day in Asia/Shanghai is 01:00 UTC (offset +08:00, no DST)", () => {
    expect(fire("0 9 * * *", "2026-03-01T00:00:00+08:00", "2026-03-03T23:59:00+08:00")).toEqual([
      "2026-03-01T09:00:00+08:00",
      "2026-03-02T09:00:00+08:00",
      "2026-03-03T09:00:00+08:00",
    ]);
    expect(firingsBetween(spec("0 9 * * *"), at("2026-07-01T00:00:00Z"), at("2026-07-01T23:00:00Z"), SH)).toEqual([
      Date.UTC(2026, 6, 1, 1, 0, 0),
    ]);
  });

  it("after is exclusive and upTo inclusive: a firing at exactly the cursor is not owed again", () => {
    expect(fire("0 9 * * *", "2026-03-01T09:00:00+08:00", "2026-03-02T09:00:00+08:00")).toEqual([
      "2026-03-02T09:00:00+08:00",
    ]);
  });

  it("a day the site's wall clock has not reached yet in UTC: 07:30 Shanghai on the 1st is the 31st in UTC", () => {
    expect(fire("30 7 1 * *", "2026-03-15T00:00:00+08:00", "2026-04-02T00:00:00+08:00")).toEqual([
      "2026-04-01T07:30:00+08:00",
    ]);
    expect(formatInstant(at("2026-04-01T07:30:00+08:00"), "UTC")).toBe("2026-03-31T23:30:00+00:00");
  });

  it("month ends: L is the last day (28 Feb 2026, 29 Feb 2028, 30 Apr, 31 Dec)", () => {
    expect(fire("0 18 L * *", "2026-01-31T18:00:00+08:00", "2026-05-01T00:00:00+08:00")).toEqual([
      "2026-02-28T18:00:00+08:00",
      "2026-03-31T18:00:00+08:00",
      "2026-04-30T18:00:00+08:00",
    ]);
    expect(fire("0 18 L 2 *", "2028-01-01T00:00:00+08:00", "2028-12-31T00:00:00+08:00")).toEqual([
      "2028-02-29T18:00:00+08:00",
    ]);
    expect(fire("59 23 L 12 *", "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")).toEqual([
      "2026-12-31T23:59:00+08:00",
    ]);
  });

  it("month ends: day 31 fires only in months that have one (classic cron, no carry-over)", () => {
    expect(fire("0 9 31 * *", "2026-01-01T00:00:00+08:00", "2026-12-31T23:00:00+08:00").map((s) => s.slice(0, 10))).toEqual([
      "2026-01-31",
      "2026-03-31",
      "2026-05-31",
      "2026-07-31",
      "2026-08-31",
      "2026-10-31",
      "2026-12-31",
    ]);
    expect(fire("0 9 29 2 *", "2026-01-01T00:00:00+08:00", "2028-12-31T00:00:00+08:00")).toEqual([
      "2028-02-29T09:00:00+08:00",
    ]);
  });

  it("weekly on Monday (1) and Sunday written 0 or 7", () => {
    // 2026-03-02 is a Monday, 2026-03-08 a Sunday (calendar).
    expect(fire("0 10 * * 1", "2026-03-01T00:00:00+08:00", "2026-03-16T00:00:00+08:00")).toEqual([
      "2026-03-02T10:00:00+08:00",
      "2026-03-09T10:00:00+08:00",
    ]);
    expect(fire("0 10 * * 7", "2026-03-01T00:00:00+08:00", "2026-03-09T00:00:00+08:00")).toEqual(
      fire("0 10 * * 0", "2026-03-01T00:00:00+08:00", "2026-03-09T00:00:00+08:00"),
    );
    expect(fire("0 10 * * 0", "2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00")).toEqual([
      "2026-03-08T10:00:00+08:00",
    ]);
  });

  it("lists, ranges and steps", () => {
    expect(fire("0,30 8-9 1 1 *", "2026-01-01T00:00:00+08:00", "2026-01-02T00:00:00+08:00")).toEqual([
      "2026-01-01T08:00:00+08:00",
      "2026-01-01T08:30:00+08:00",
      "2026-01-01T09:00:00+08:00",
      "2026-01-01T09:30:00+08:00",
    ]);
    expect(fire("0 */8 1 1 *", "2026-01-01T00:00:00+08:00", "2026-01-02T00:00:00+08:00")).toEqual([
      "2026-01-01T08:00:00+08:00",
      "2026-01-01T16:00:00+08:00",
    ]);
  });

  it("offset-correct in a zone with DST: 02:30 on the spring-forward day does not exist in New York", () => {
    // 2026-03-08: US clocks go from 02:00 to 03:00 (Energy Policy Act of 2005 rules).
    expect(
      fire("30 2 * * *", "2026-03-07T00:00:00-05:00", "2026-03-09T12:00:00-04:00", "America/New_York"),
    ).toEqual(["2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00"]);
  });

  it("refuses what it cannot read, naming the field", () => {
    const errors = ["0 9 * *", "60 9 * * *", "0 24 * * *", "0 9 32 * *", "0 9 1 13 *", "0 9 * * 8", "0 9 x * *", "0 9 1 * 1", "0 9 30 2 *", "0 9 5-1 * *"].map(
      (t) => {
        const p = parseCron(t);
        return p.ok ? "ok" : p.message;
      },
    );
    expect(errors).toEqual([
      "expected 5 fields (minute hour day-of-month month day-of-week), got 4 in \"0 9 * *\"",
      "minute: 60 is outside 0-59",
      "hour: 24 is outside 0-23",
      "day of month: 32 is outside 1-31",
      "month: 13 is outside 1-12",
      "day of week: 8 is outside 0-7",
      'day of month: cannot read "x" (expected *, N, A-B, */N or A-B/N)',
      "restrict day-of-month or day-of-week, not both (cron implementations disagree on what that means)",
      "day-of-month 30 never occurs in month 2",
      "day of month: 5-1 is outside 1-31",
    ]);
  });

  it("nextFiring finds the next Feb 29 years ahead", () => {
    expect(formatInstant(nextFiring(spec("0 0 29 2 *"), at("2026-03-01T00:00:00+08:00"), SH)!, SH)).toBe(
      "2028-02-29T00:00:00+08:00",
    );
  });
});

/** Random expressions in the dialect both implementations read. */
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant("*"),
    fc.integer({ min, max }).map(String),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((s) => `*/${s}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(",")),
  );
const expression = fc
  .tuple(field(0, 59), field(0, 23), fc.oneof(field(1, 28), fc.constant("L")), field(1, 12), field(0, 6), fc.boolean())
  .map(([mi, h, dom, mo, dow, byWeekday]) => `${mi} ${h} ${byWeekday ? "*" : dom} ${mo} ${byWeekday ? dow : "*"}`);

describe("agrees with cron-parser (an independent, mature implementation)", () => {
  it("every firing within a random 40-day window, Asia/Shanghai", () => {
    fc.assert(
      fc.property(
        expression,
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (text, startMs) => {
          const start = Math.floor(startMs / 60_000) * 60_000 + 17_000;
          const end = start + 40 * 86_400_000;
          const ours = firingsBetween(spec(text), start, end, SH, 500);
          const theirs: number[] = [];
          const it = CronExpressionParser.parse(text, { currentDate: new Date(start), endDate: new Date(end), tz: SH });
          while (theirs.length < 500 && it.hasNext()) theirs.push(it.next().getTime());
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 100 },
    );
  });
});
