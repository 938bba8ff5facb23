import { describe, expect, it } from "vitest";
import { parseInstant } from "../time-format.ts";
import { AGE_BUCKETS, ageBucket, applyHazard, type Hazard, type HazardCommand } from "./hazard.ts";
import type { Actor, Role } from "./roles.ts";

const T0 = parseInstant("2026-05-06T10:00:00+08:00")!;
const H = 3600_000;
const DAY = 86_400_000;
const li: Actor = { name: "li", role: "facility_manager" };
const wang: Actor = { name: "wang", role: "engineer" };
const zhao: Actor = { name: "zhao", role: "facility_manager" };
const auditor: Actor = { name: "client", role: "client_auditor" };
const BEFORE = "1".repeat(64);
const AFTER = "2".repeat(64);

const report = (by: Actor = li): HazardCommand => ({
  type: "report",
  at: T0,
  by,
  id: "H-1",
  title: "灭火器压力表指针在红区",
  location: "坐席区 3 排东侧",
  photos: [BEFORE],
});

function walk(cmds: HazardCommand[]): Hazard {
  let h: Hazard | undefined;
  for (const c of cmds) {
    const res = applyHazard(h, c);
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    h = res.hazard;
  }
  return h!;
}

function code(h: Hazard | undefined, cmd: HazardCommand): string {
  const res = applyHazard(h, cmd);
  return res.ok ? "ok" : res.error.code;
}

describe("hazard loop: reported → being fixed → fix checked → closed", () => {
  it("walks the four states, recording who did each step, with photos before and after", () => {
    const h = walk([
      report(),
      { type: "start_fix", at: T0 + H, by: wang, note: "已联系维保" },
      { type: "record_fix", at: T0 + 5 * H, by: wang, note: "已更换灭火器", photos: [AFTER] },
      { type: "check_fix", at: T0 + 6 * H, by: li, accept: true },
      { type: "close", at: T0 + 7 * H, by: zhao },
    ]);
    expect(h.status).toBe("closed");
    expect(h.reported).toEqual({ at: T0, by: "li", photos: [BEFORE], note: undefined });
    expect(h.fixStarted?.by).toBe("wang");
    expect(h.fixed).toMatchObject({ by: "wang", photos: [AFTER] });
    expect(h.checked?.by).toBe("li");
    expect(h.closedStep?.by).toBe("zhao");
  });

  it("the fix is checked by someone other than the person who recorded it", () => {
    const fixed = walk([
      report(),
      { type: "start_fix", at: T0 + H, by: li },
      { type: "record_fix", at: T0 + 2 * H, by: li, photos: [AFTER] },
    ]);
    expect(code(fixed, { type: "check_fix", at: T0 + 3 * H, by: li, accept: true })).toBe("SAME_PERSON");
    expect(code(fixed, { type: "check_fix", at: T0 + 3 * H, by: { name: "li", role: "admin" }, accept: true })).toBe("SAME_PERSON");
    expect(code(fixed, { type: "check_fix", at: T0 + 3 * H, by: zhao, accept: true })).toBe("ok");
  });

  it("a refused check sends it back to being fixed, and needs a reason", () => {
    const fixed = walk([
      report(),
      { type: "start_fix", at: T0 + H, by: wang },
      { type: "record_fix", at: T0 + 2 * H, by: wang, photos: [AFTER] },
    ]);
    expect(code(fixed, { type: "check_fix", at: T0 + 3 * H, by: li, accept: false })).toBe("BAD_REQUEST");
    const back = walk([
      report(),
      { type: "start_fix", at: T0 + H, by: wang },
      { type: "record_fix", at: T0 + 2 * H, by: wang, photos: [AFTER] },
      { type: "check_fix", at: T0 + 3 * H, by: li, accept: false, note: "压力仍不足" },
    ]);
    expect(back.status).toBe("fixing");
    expect(back.fixed).toBeUndefined();
    expect(back.rejected).toEqual([{ at: T0 + 3 * H, by: "li", note: "压力仍不足", photos: [] }]);
    expect(code(back, { type: "check_fix", at: T0 + 4 * H, by: li, accept: true })).toBe("HAZARD_STATE");
  });

  it("steps out of order are refused with the state they need", () => {
    const h = walk([report()]);
    const res = applyHazard(h, { type: "close", at: T0 + H, by: li });
    expect(res).toEqual({ ok: false, error: { code: "HAZARD_STATE", message: "hazard H-1 is reported; close needs fix_checked" } });
    expect(code(h, { type: "record_fix", at: T0 + H, by: wang, photos: [AFTER] })).toBe("HAZARD_STATE");
    expect(code(h, { type: "check_fix", at: T0 + H, by: zhao, accept: true })).toBe("HAZARD_STATE");
    expect(code(h, report())).toBe("HAZARD_EXISTS");
    expect(code(undefined, { type: "start_fix", at: T0, by: li })).toBe("NOT_FOUND");
  });

  it("a fix is recorded with at least one after photo; photos are sha256 hashes", () => {
    const fixing = walk([report(), { type: "start_fix", at: T0 + H, by: wang }]);
    expect(code(fixing, { type: "record_fix", at: T0 + 2 * H, by: wang, photos: [] })).toBe("BAD_REQUEST");
    expect(code(fixing, { type: "record_fix", at: T0 + 2 * H, by: wang, photos: ["nope"] })).toBe("BAD_REQUEST");
    expect(code(undefined, { ...report(), photos: ["x"] } as HazardCommand)).toBe("BAD_REQUEST");
  });

  // Who may do which step: report / start / record — manager, engineer, admin; check and close —
  // manager and admin; the client auditor none.
  const table: Array<[HazardCommand["type"], Role, boolean]> = [
    ["report", "engineer", true],
    ["report", "facility_manager", true],
    ["report", "client_auditor", false],
    ["start_fix", "engineer", true],
    ["start_fix", "client_auditor", false],
    ["record_fix", "engineer", true],
    ["check_fix", "engineer", false],
    ["check_fix", "facility_manager", true],
    ["check_fix", "admin", true],
    ["check_fix", "client_auditor", false],
    ["close", "engineer", false],
    ["close", "facility_manager", true],
    ["close", "admin", true],
    ["close", "client_auditor", false],
  ];
  it.each(table)("%s by %s: allowed=%s", (step, role, allowed) => {
    const by: Actor = { name: "someone", role };
    const states: Record<HazardCommand["type"], HazardCommand[]> = {
      report: [],
      start_fix: [report()],
      record_fix: [report(), { type: "start_fix", at: T0 + H, by: wang }],
      check_fix: [report(), { type: "start_fix", at: T0 + H, by: wang }, { type: "record_fix", at: T0 + 2 * H, by: wang, photos: [AFTER] }],
      close: [
        report(),
        { type: "start_fix", at: T0 + H, by: wang },
        { type: "record_fix", at: T0 + 2 * H, by: wang, photos: [AFTER] },
        { type: "check_fix", at: T0 + 3 * H, by: li, accept: true },
      ],
    };
    const before = states[step].length > 0 ? walk(states[step]) : undefined;
    const cmd: HazardCommand =
      step === "report"
        ? { ...(report(by) as Extract<HazardCommand, { type: "report" }>), by }
        : step === "record_fix"
          ? { type: step, at: T0 + 4 * H, by, photos: [AFTER] }
          : step === "check_fix"
            ? { type: step, at: T0 + 4 * H, by, accept: true }
            : { type: step, at: T0 + 4 * H, by };
    expect(code(before, cmd)).toBe(allowed ? "ok" : "FORBIDDEN");
  });

  it("the client auditor cannot take any step", () => {
    expect(code(undefined, report(auditor))).toBe("FORBIDDEN");
  });
});

describe("open hazards are aged", () => {
  const h = walk([report()]);
  it.each([
    [0, "lt_1d"],
    [DAY - 1, "lt_1d"],
    [DAY, "1d_7d"],
    [7 * DAY - 1, "1d_7d"],
    [7 * DAY, "7d_30d"],
    [30 * DAY, "ge_30d"],
  ])("open for %s ms → %s", (age, bucket) => {
    expect(ageBucket(h, T0 + age)).toBe(bucket);
  });
  it("buckets are ordered youngest first", () => {
    expect(AGE_BUCKETS).toEqual(["lt_1d", "1d_7d", "7d_30d", "ge_30d"]);
  });
});
