import { describe, expect, it } from "vitest";
import { notificationsSchema } from "./config.ts";
import { dutyDayOf, onCallAt, resolveTargets, rosterGaps } from "./roster.ts";

const cfg = notificationsSchema.parse({
  ack: { secret: "x" },
  channels: [{ id: "hook", type: "webhook", url: "http://127.0.0.1:1/" }],
  people: ["a", "b", "c", "lead", "cover"].map((id) => ({ id, name: id.toUpperCase(), channels: ["hook"] })),
  roster: {
    roles: ["oncall", "lead"],
    handover: "08:30",
    months: [{ month: "2026-11", duty: { oncall: ["a", "b", "c"], lead: ["lead"] } }],
    overrides: [
      {
        role: "oncall",
        person: "cover",
        from: "2026-11-25T12:00:00+08:00",
        to: "2026-11-25T18:00:00+08:00",
        reason: "调班",
      },
    ],
  },
  policies: {},
});
const TZ = "Asia/Shanghai";
const at = (s: string) => Date.parse(s);

describe("on-call roster (monthly duty schedule, Asia/Shanghai)", () => {
  it("a duty day runs from the handover time to the next day's handover", () => {
    expect(dutyDayOf(at("2026-11-25T08:29:59+08:00"), cfg.roster, TZ).date).toBe("2026-11-24");
    expect(dutyDayOf(at("2026-11-25T08:30:00+08:00"), cfg.roster, TZ).date).toBe("2026-11-25");
    // 00:30 on Dec 1st is still the last duty day of November.
    expect(dutyDayOf(at("2026-12-01T00:30:00+08:00"), cfg.roster, TZ).month).toBe("2026-11");
  });

  it("people take turns day by day from the 1st; a single name holds the role all month", () => {
    const holder = (t: string) => onCallAt(at(t), cfg.roster, TZ).map((o) => `${o.role}=${o.person}`);
    expect(holder("2026-11-01T09:00:00+08:00")).toEqual(["oncall=a", "lead=lead"]);
    expect(holder("2026-11-02T09:00:00+08:00")).toEqual(["oncall=b", "lead=lead"]);
    expect(holder("2026-11-04T09:00:00+08:00")).toEqual(["oncall=a", "lead=lead"]);
    // Nov 25 is day 25: (25 - 1) % 3 = 0 → a.
    expect(holder("2026-11-25T09:00:00+08:00")).toEqual(["oncall=a", "lead=lead"]);
  });

  it("an override holds the role only within [from, to)", () => {
    const oncall = (t: string) => onCallAt(at(t), cfg.roster, TZ)[0]!;
    expect(oncall("2026-11-25T11:59:59+08:00").person).toBe("a");
    expect(oncall("2026-11-25T12:00:00+08:00")).toEqual({
      role: "oncall",
      person: "cover",
      source: "override",
      reason: "调班",
    });
    expect(oncall("2026-11-25T18:00:00+08:00").person).toBe("a");
  });

  it("a month with no schedule leaves the role empty rather than guessing", () => {
    expect(onCallAt(at("2027-01-10T09:00:00+08:00"), cfg.roster, TZ)[0]).toEqual({
      role: "oncall",
      source: "none",
    });
  });

  it("targets resolve roles and person ids, each person once", () => {
    expect(resolveTargets(["oncall", "lead", "a", "lead"], cfg, at("2026-11-25T09:00:00+08:00"), TZ)).toEqual(
      ["a", "lead"],
    );
  });
});

describe("no calendar time bombs: a roster that runs out (Asia/Shanghai month ends)", () => {
  const base = notificationsSchema.parse({
    ack: { secret: "x" },
    channels: [{ id: "hook", type: "webhook", url: "http://127.0.0.1:1/" }],
    people: ["a", "b", "duty-room"].map((id) => ({ id, name: id, channels: ["hook"] })),
    roster: { roles: ["oncall", "lead"], months: [{ month: "2026-12", duty: { oncall: ["a"], lead: ["b"] } }] },
    fallback: ["duty-room"],
    policies: {},
  });

  it("asks for next month's schedule from 7 days before its first duty day (1st, 08:30 Shanghai)", () => {
    expect(base.roster.leadDays).toBe(7);
    // January's first duty day starts 2027-01-01 08:30 +08:00; seven days before is 2026-12-25 08:30.
    expect(rosterGaps(at("2026-12-25T08:29:59+08:00"), base.roster, TZ)).toEqual([]);
    expect(rosterGaps(at("2026-12-25T08:30:00+08:00"), base.roster, TZ)).toEqual([
      { month: "2027-01", roles: ["oncall", "lead"], absent: true },
    ]);
  });

  it("follows the Shanghai calendar, not UTC: 2027-01-01 00:30 +08:00 (still 2026-12-31 in UTC) is December's duty", () => {
    // With no lead, January is needed only from its first handover.
    expect(rosterGaps(at("2026-12-31T16:30:00Z"), base.roster, TZ, 0)).toEqual([]);
    expect(rosterGaps(at("2027-01-01T08:29:59+08:00"), base.roster, TZ, 0)).toEqual([]);
    expect(rosterGaps(at("2027-01-01T08:30:00+08:00"), base.roster, TZ, 0)).toEqual([
      { month: "2027-01", roles: ["oncall", "lead"], absent: true },
    ]);
    // A lead of 3 days: from 2026-12-29 08:30 +08:00 (= 00:30 UTC).
    expect(rosterGaps(at("2026-12-29T00:29:59Z"), base.roster, TZ, 3)).toEqual([]);
    expect(rosterGaps(at("2026-12-29T00:30:00Z"), base.roster, TZ, 3)).toHaveLength(1);
  });

  it("a month present with a role nobody holds is a gap for that role", () => {
    const roster = { ...base.roster, months: [{ month: "2026-12", duty: { oncall: ["a"] } }] };
    expect(rosterGaps(at("2026-12-10T09:00:00+08:00"), roster, TZ)).toEqual([
      { month: "2026-12", roles: ["lead"], absent: false },
    ]);
  });

  it("pages the fallback when a role has nobody, instead of nobody", () => {
    expect(resolveTargets(["oncall"], base, at("2026-12-10T09:00:00+08:00"), TZ)).toEqual(["a"]);
    expect(resolveTargets(["oncall", "lead"], base, at("2027-01-05T09:00:00+08:00"), TZ)).toEqual(["duty-room"]);
    expect(resolveTargets(["oncall", "b"], { ...base, fallback: [] }, at("2027-01-05T09:00:00+08:00"), TZ)).toEqual(["b"]);
  });
});
