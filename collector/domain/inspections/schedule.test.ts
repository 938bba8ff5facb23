import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePeriod } from "../period.ts";
import { formatInstant, parseInstant } from "../time-format.ts";
import type { Period } from "../types.ts";
import { SERVER_ROOM, SERVER_ROOM_INPUT } from "./fixtures.ts";
import { applyHazard, type Hazard } from "./hazard.ts";
import { applyRound, createRound, type Round } from "./round.ts";
import { owedFirings } from "./schedule.ts";
import { inspectionSummary } from "./summary.ts";
import { templateSchema } from "./template.ts";

const SH = "Asia/Shanghai";
const at = (iso: string) => parseInstant(iso)!;
const HOUR = 3600_000;

describe("schedule: every firing is owed once, none skipped", () => {
  it("a template seen for the first time owes nothing before it was installed", () => {
    expect(owedFirings(SERVER_ROOM, undefined, at("2026-03-20T12:00:00+08:00"), SH)).toEqual([]);
  });

  it("a collector down from 08:00 on the 20th to 10:30 on the 22nd creates the three 09:00 rounds on start", () => {
    const owed = owedFirings(SERVER_ROOM, at("2026-03-20T08:00:00+08:00"), at("2026-03-22T10:30:00+08:00"), SH);
    expect(owed.map((o) => o.key)).toEqual([
      "server-room-daily@2026-03-20T09:00:00+08:00",
      "server-room-daily@2026-03-21T09:00:00+08:00",
      "server-room-daily@2026-03-22T09:00:00+08:00",
    ]);
    // Due 4 h after each firing: the first two are already overdue when created at 10:30 on the 22nd.
    expect(owed.map((o) => formatInstant(o.dueAt, SH))).toEqual([
      "2026-03-20T13:00:00+08:00",
      "2026-03-21T13:00:00+08:00",
      "2026-03-22T13:00:00+08:00",
    ]);
  });

  it("a monthly round on the last day across a down collector over the end of February", () => {
    const monthly = templateSchema.parse({ ...SERVER_ROOM_INPUT, id: "month-end", schedule: "0 17 L * *", due: "1d" });
    const owed = owedFirings(monthly, at("2026-02-27T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"), SH);
    expect(owed.map((o) => formatInstant(o.firedAt, SH))).toEqual(["2026-02-28T17:00:00+08:00", "2026-03-31T17:00:00+08:00"]);
  });

  it("catching up in pieces owes exactly what catching up at once owes (cursor = last firing seen)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at("2026-01-01T00:00:00+08:00"), max: at("2026-12-01T00:00:00+08:00") }),
        fc.array(fc.integer({ min: 1, max: 5 * 24 * HOUR }), { minLength: 1, maxLength: 12 }),
        (start, steps) => {
          const end = steps.reduce((t, s) => t + s, start);
          const once = owedFirings(SERVER_ROOM, start, end, SH).map((o) => o.key);
          const pieces: string[] = [];
          let cursor = start;
          for (const s of steps) {
            const now = cursor + s;
            pieces.push(...owedFirings(SERVER_ROOM, cursor, now, SH).map((o) => o.key));
            cursor = now;
          }
          expect(pieces).toEqual(once);
          expect(new Set(pieces).size).toBe(pieces.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the quarter's inspection summary", () => {
  const Q2 = parsePeriod("2026Q2", SH) as Period;
  const li = { name: "li", role: "facility_manager" as const };
  const ctx = { policy: undefined as never, inventory: { devices: {} }, newFaultId: () => "F" };

  function finished(firedIso: string, finishIso: string): Round {
    let r = createRound(SERVER_ROOM, at(firedIso), firedIso, SH);
    const t = at(firedIso);
    for (const cmd of [
      { type: "checkin", stop: "cold-aisle", via: "qr" },
      { type: "answer", stop: "cold-aisle", item: "inlet-temp", value: 22 },
      { type: "answer", stop: "cold-aisle", item: "floor-dry", value: true },
      { type: "checkin", stop: "ups-room", via: "qr" },
      { type: "answer", stop: "ups-room", item: "ups-mode", value: "逆变" },
    ] as const) {
      const res = applyRound(r, { ...cmd, at: t, by: li }, ctx);
      if (!res.ok) throw new Error(res.error.message);
      r = res.round;
    }
    const res = applyRound(r, { type: "finish", at: at(finishIso), by: li }, ctx);
    if (!res.ok) throw new Error(res.error.message);
    return res.round;
  }

  it("counts by firing time in the quarter (Asia/Shanghai): on time, late, overdue, pending, and hazards", () => {
    const rounds = [
      finished("2026-04-01T09:00:00+08:00", "2026-04-01T10:00:00+08:00"), // on time
      finished("2026-05-01T09:00:00+08:00", "2026-05-01T13:00:00+08:00"), // on time (at due)
      finished("2026-06-01T09:00:00+08:00", "2026-06-01T13:00:01+08:00"), // late
      createRound(SERVER_ROOM, at("2026-06-29T09:00:00+08:00"), "o", SH), // overdue
      createRound(SERVER_ROOM, at("2026-06-30T09:00:00+08:00"), "p", SH), // pending at 10:00
      createRound(SERVER_ROOM, at("2026-03-31T09:00:00+08:00"), "q1", SH), // Q1
      createRound(SERVER_ROOM, at("2026-07-01T09:00:00+08:00"), "q3", SH), // Q3
    ];
    const reported = (id: string, iso: string): Hazard => {
      const res = applyHazard(undefined, { type: "report", at: at(iso), by: li, id, title: "t", location: "l", photos: [] });
      if (!res.ok) throw new Error(res.error.message);
      return res.hazard;
    };
    const hazards = [reported("a", "2026-04-02T00:00:00+08:00"), reported("b", "2026-06-30T02:00:00+08:00"), reported("c", "2026-03-01T00:00:00+08:00")];
    const s = inspectionSummary(Q2, rounds, hazards, at("2026-06-30T10:00:00+08:00"));
    expect(s.rounds).toEqual({ scheduled: 5, doneOnTime: 2, doneLate: 1, overdue: 1, pending: 1, onTimeRatio: 0.5, abnormalItems: 0 });
    expect(s.hazards).toEqual({ reported: 2, closed: 0, open: 2, openByAge: { lt_1d: 1, "1d_7d": 0, "7d_30d": 0, ge_30d: 2 } });
    expect(s.byTemplate["server-room-daily"]!.scheduled).toBe(5);
  });

  it("nothing due yet: the on-time ratio is null, not 0 or 1", () => {
    const s = inspectionSummary(Q2, [createRound(SERVER_ROOM, at("2026-06-30T09:00:00+08:00"), "p", SH)], [], at("2026-06-30T10:00:00+08:00"));
    expect(s.rounds.onTimeRatio).toBeNull();
  });
});
