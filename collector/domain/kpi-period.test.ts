import { describe, expect, it } from "vitest";
import { faultFixture } from "../../test/fixtures/fault.ts";
import { kpiFor } from "./kpi.ts";
import { parsePeriod, quarterOf } from "./period.ts";
import { defaultPolicy, policySchema } from "./policy.ts";
import { runScenario } from "./replay.ts";
import { parseScenario } from "./scenario.ts";
import { formatInstant, parseInstant } from "./time-format.ts";
import type { Fault, Period } from "./types.ts";

const TZ = "Asia/Shanghai";
const q1 = parsePeriod("2026Q1", TZ) as Period;

function replay(lines: object[], quarter: string) {
  const parsed = parseScenario(lines.map((l) => JSON.stringify(l)).join("\n"));
  if (!parsed.ok) throw new Error(parsed.message);
  const r = runScenario(parsed.lines, { quarter });
  if ("code" in r) throw new Error(r.message);
  return r.output;
}

describe("periods in the site time zone (Asia/Shanghai)", () => {
  it("2026Q1 is [2026-01-01T00:00+08:00, 2026-04-01T00:00+08:00)", () => {
    expect(formatInstant(q1.start, TZ)).toBe("2026-01-01T00:00:00+08:00");
    expect(formatInstant(q1.end, TZ)).toBe("2026-04-01T00:00:00+08:00");
  });
  it("a month: 2026-03 ends where April begins", () => {
    const m = parsePeriod("2026-03", TZ) as Period;
    expect([formatInstant(m.start, TZ), formatInstant(m.end, TZ)]).toEqual([
      "2026-03-01T00:00:00+08:00",
      "2026-04-01T00:00:00+08:00",
    ]);
  });
  it("Q4 ends at the next year's first instant", () => {
    expect(formatInstant((parsePeriod("2026Q4", TZ) as Period).end, TZ)).toBe("2027-01-01T00:00:00+08:00");
  });
  it("an unknown period text is INVALID_PERIOD", () => {
    expect(parsePeriod("2026Q5", TZ)).toMatchObject({ code: "INVALID_PERIOD" });
    expect(parsePeriod("Q1", TZ)).toMatchObject({ code: "INVALID_PERIOD" });
  });
  it("times print in the site zone with offset, whatever offset they were written in", () => {
    expect(formatInstant(parseInstant("2026-03-31T15:59:30Z")!, TZ)).toBe("2026-03-31T23:59:30+08:00");
    expect(parseInstant("2026-03-31T23:59:30")).toBeUndefined();
  });
  it("a fault opened 2026-03-31T23:59:30+08:00 belongs to 2026Q1", () => {
    const out = replay(
      [
        {
          type: "open",
          at: "2026-03-31T23:59:30+08:00",
          id: "M1",
          device: "d",
          class: "general",
          title: "t",
        },
      ],
      "2026Q1",
    );
    expect(out.kpi.total).toBe(1);
    expect(quarterOf(parseInstant("2026-03-31T23:59:30+08:00")!, TZ)).toBe("2026Q1");
  });
  it("a fault opened 2026-04-01T07:30+08:00 belongs to 2026Q2 although it is still Q1 in UTC", () => {
    const line = {
      type: "open",
      at: "2026-04-01T07:30:00+08:00",
      id: "M1",
      device: "d",
      class: "general",
      title: "t",
    };
    expect(replay([line], "2026Q1").kpi.total).toBe(0);
    expect(replay([line], "2026Q2").kpi.total).toBe(1);
    expect(quarterOf(parseInstant("2026-04-01T07:30:00+08:00")!, "UTC")).toBe("2026Q1");
  });
});

function fault(id: string, openedAt: number, extra: Partial<Fault>): Fault {
  return faultFixture({ id, key: `d|manual|${id}`, condition: "manual", title: id, openedAt, ...extra });
}

describe("KPI 故障处理及时率", () => {
  const t = parseInstant("2026-02-01T10:00:00+08:00")!;
  const H = 3_600_000;
  const now = t + 100 * H;
  const faults = [
    fault("met", t, { resolvedAt: t + H, status: "resolved" }),
    fault("late", t, { resolvedAt: t + 25 * H, status: "resolved" }),
    fault("exempt", t, { exemption: { status: "approved", reason: "r", requestedBy: "a", requestedAt: t } }),
    fault("planned", t, { plannedWindowId: "W" }),
    fault("pending", now - H, {}),
    fault("folded", t, { status: "folded" }),
    fault("next-quarter", parseInstant("2026-04-01T00:00:00+08:00")!, {}),
  ];
  it("counts met, breached, exempted, planned, pending; total is their sum; folded children are not faults", () => {
    const r = kpiFor(q1, faults, defaultPolicy, now);
    expect(r).toMatchObject({ total: 5, met: 1, breached: 1, exempted: 1, planned: 1, pending: 1 });
    expect(r.total).toBe(r.met + r.breached + r.exempted + r.planned + r.pending);
  });
  it("timeliness = met / (met + breached); the target 1 missed costs 1 % of ¥6,468,000 = ¥64,680", () => {
    const r = kpiFor(q1, faults, defaultPolicy, now);
    expect(r).toMatchObject({ timeliness: 0.5, target: 1, metTarget: false, deductionCny: 64680 });
    expect(r.breaches).toEqual([
      { faultId: "late", class: "general", deadline: "resolve", due: t + 24 * H, missedBySeconds: 3600 },
    ]);
  });
  it("a missing roster (an administrative reminder, not an equipment fault) costs no KPI, unless the policy says it does", () => {
    // Raised 7 days before the month, fixed 3 days later: 24 h late had it counted.
    const roster = faultFixture({
      id: "roster",
      key: "paging:roster|roster.missing|month=2026-03",
      device: "paging:roster",
      condition: "roster.missing",
      title: "roster missing",
      openedAt: t,
      resolvedAt: t + 72 * H,
      status: "resolved",
    });
    const onlyMet = [faults[0]!, roster];
    expect(kpiFor(q1, onlyMet, defaultPolicy, now)).toMatchObject({
      total: 1,
      met: 1,
      breached: 0,
      timeliness: 1,
      deductionCny: 0,
    });
    const counting = policySchema.parse({ kpi: { excludeConditions: [] } });
    expect(kpiFor(q1, onlyMet, counting, now)).toMatchObject({
      total: 2,
      met: 1,
      breached: 1,
      deductionCny: 64680,
    });
  });
  it("timeliness is 1 with no met and no breached faults, and nothing is deducted", () => {
    const r = kpiFor(q1, [faults[2]!, faults[3]!], defaultPolicy, now);
    expect(r).toMatchObject({ timeliness: 1, metTarget: true, deductionCny: 0 });
  });
});
