import { describe, expect, it } from "vitest";
import { apply, emptyState } from "../engine.ts";
import { defaultPolicy, policySchema } from "../policy.ts";
import { parseInstant } from "../time-format.ts";
import type { Command, EngineState, Inventory } from "../types.ts";
import { checkAnswer } from "./answers.ts";
import { SERVER_ROOM } from "./fixtures.ts";
import type { Actor } from "./roles.ts";
import { applyRound, createRound, dueState, type Round, type RoundCommand, type RoundContext } from "./round.ts";
import type { Item } from "./template.ts";

const SH = "Asia/Shanghai";
const FIRED = parseInstant("2026-03-20T09:00:00+08:00")!;
const MIN = 60_000;
const li: Actor = { name: "li", role: "facility_manager" };
const wang: Actor = { name: "wang", role: "engineer" };
const boss: Actor = { name: "zhao", role: "facility_manager" };
const auditor: Actor = { name: "client", role: "client_auditor" };
const PHOTO_A = "a".repeat(64);
const PHOTO_B = "b".repeat(64);
const inventory: Inventory = {
  devices: { "ups-1": { id: "ups-1", class: "ups", criticality: "high", dependsOn: [] } },
};

function context(policy = defaultPolicy): RoundContext {
  let n = 0;
  return { policy, inventory, newFaultId: () => `F-${++n}` };
}

/** A command without its time (run() spaces them a minute apart unless one says `at`). */
type Step = RoundCommand extends infer C ? (C extends RoundCommand ? Omit<C, "at"> & { at?: number } : never) : never;

/** Applies commands in order; throws on the first refusal. Collects the fault commands. */
function run(cmds: Step[], ctx = context(), round = createRound(SERVER_ROOM, FIRED, "R-1", SH)) {
  const faultCommands: Command[] = [];
  const audit: string[] = [];
  let t = FIRED;
  for (const c of cmds) {
    t = c.at ?? t + MIN;
    const res = applyRound(round, { ...c, at: t } as RoundCommand, ctx);
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    round = res.round;
    faultCommands.push(...res.faultCommands);
    audit.push(...res.audit.map((a) => a.action));
  }
  return { round, faultCommands, audit };
}

function refused(round: Round, cmd: RoundCommand, ctx = context()): string {
  const res = applyRound(round, cmd, ctx);
  return res.ok ? "accepted" : res.error.code;
}

const ALL_DONE: Step[] = [
  { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
  { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 22 },
  { type: "answer", by: li, stop: "cold-aisle", item: "floor-dry", value: true },
  { type: "checkin", by: li, stop: "ups-room", via: "qr" },
  { type: "answer", by: li, stop: "ups-room", item: "ups-mode", value: "逆变" },
];

function engine(cmds: Command[]): EngineState {
  let state = emptyState();
  for (const c of cmds) {
    const res = apply(state, c, { now: c.at, policy: defaultPolicy, inventory, newId: () => "unused" });
    if (!res.ok) throw new Error(res.error.message);
    state = res.state;
  }
  return state;
}

describe("a round is created per firing", () => {
  it("its key names the template and the firing in the site's zone; due = firing + template.due (4 h)", () => {
    const r = createRound(SERVER_ROOM, FIRED, "R-1", SH);
    expect(r.key).toBe("server-room-daily@2026-03-20T09:00:00+08:00");
    expect(r.dueAt - r.firedAt).toBe(4 * 3600_000);
    expect(r.status).toBe("open");
  });
});

describe("due and overdue: a round not finished by its due time is overdue", () => {
  const r = createRound(SERVER_ROOM, FIRED, "R-1", SH);
  it("still open at exactly the due instant: not yet overdue; 1 ms later: overdue", () => {
    expect(dueState(r, r.dueAt)).toBe("due");
    expect(dueState(r, r.dueAt + 1)).toBe("overdue");
    expect(dueState(r, FIRED)).toBe("due");
  });
  it("finished at exactly the due instant is on time; 1 ms later is late", () => {
    const onTime = run([...ALL_DONE, { type: "finish", by: li, at: r.dueAt }]).round;
    expect(dueState(onTime, r.dueAt + 86_400_000)).toBe("done_on_time");
    const late = run([...ALL_DONE, { type: "finish", by: li, at: r.dueAt + 1 }]).round;
    expect(dueState(late, late.dueAt + 1)).toBe("done_late");
  });
});

describe("range checks: limits inclusive, reasons name their source", () => {
  const temp = SERVER_ROOM.stops[0]!.items[0]! as Item;
  it.each([
    [18, false],
    [27, false],
    [22.5, false],
    [17.9, true],
    [27.1, true],
  ])("inlet air %s °C abnormal=%s (GB 50174-2017: 18–27 °C)", (value, abnormal) => {
    const c = checkAnswer(temp, value);
    expect(c.ok && c.abnormal).toBe(abnormal);
  });
  it("the reason says which limit, in Chinese and English, with the standard", () => {
    const c = checkAnswer(temp, 29);
    expect(c).toMatchObject({
      ok: true,
      abnormal: true,
      reason: "进风温度 29 °C 高于上限 27 °C（GB 50174-2017 §5.1.1）",
      reasonEn: "进风温度 29 °C above 27 °C (GB 50174-2017 §5.1.1)",
      source: "GB 50174-2017 §5.1.1",
    });
    expect(checkAnswer(temp, 17)).toMatchObject({ reason: "进风温度 17 °C 低于下限 18 °C（GB 50174-2017 §5.1.1）" });
  });
  it("a value of the wrong kind is refused, not judged", () => {
    expect(checkAnswer(temp, "22")).toMatchObject({ ok: false, code: "BAD_ANSWER" });
    expect(checkAnswer(temp, Number.NaN)).toMatchObject({ ok: false, code: "BAD_ANSWER" });
    expect(checkAnswer(SERVER_ROOM.stops[0]!.items[1]!, "yes")).toMatchObject({ ok: false });
    expect(checkAnswer(SERVER_ROOM.stops[1]!.items[0]!, "市电")).toMatchObject({ ok: false });
    expect(checkAnswer(SERVER_ROOM.stops[1]!.items[1]!, "not-a-hash")).toMatchObject({ ok: false });
  });
  it("yes/no: the unexpected answer is abnormal; choice: an option outside `normal` is", () => {
    expect(checkAnswer(SERVER_ROOM.stops[0]!.items[1]!, false)).toMatchObject({ abnormal: true, source: "practice" });
    expect(checkAnswer(SERVER_ROOM.stops[0]!.items[1]!, true)).toMatchObject({ abnormal: false });
    expect(checkAnswer(SERVER_ROOM.stops[1]!.items[0]!, "旁路")).toMatchObject({ abnormal: true });
  });
});

describe("doing a round", () => {
  it("the first filler to act holds it; another gets ROUND_TAKEN until a manager reassigns", () => {
    const { round, audit } = run([{ type: "claim", by: li }]);
    expect(round.claimedBy).toBe("li");
    expect(round.status).toBe("in_progress");
    expect(audit).toEqual(["inspection.claim"]);
    expect(refused(round, { type: "checkin", at: FIRED + MIN, by: wang, stop: "cold-aisle", via: "qr" })).toBe("ROUND_TAKEN");
    expect(refused(round, { type: "assign", at: FIRED + MIN, by: wang, to: "wang" })).toBe("FORBIDDEN");
    const moved = applyRound(round, { type: "assign", at: FIRED + MIN, by: boss, to: "wang" }, context());
    expect(moved.ok && moved.round.claimedBy).toBe("wang");
    if (moved.ok)
      expect(refused(moved.round, { type: "checkin", at: FIRED + 2 * MIN, by: wang, stop: "cold-aisle", via: "qr" })).toBe("accepted");
  });

  it("an item is answered only after checking in at its stop", () => {
    const r = createRound(SERVER_ROOM, FIRED, "R-1", SH);
    expect(refused(r, { type: "answer", at: FIRED, by: li, stop: "cold-aisle", item: "inlet-temp", value: 22 })).toBe("NOT_CHECKED_IN");
    expect(refused(r, { type: "photo", at: FIRED, by: li, stop: "cold-aisle", hash: PHOTO_A })).toBe("NOT_CHECKED_IN");
    expect(refused(r, { type: "checkin", at: FIRED, by: li, stop: "roof", via: "qr" })).toBe("NOT_FOUND");
  });

  it("the client auditor reads only: every command is FORBIDDEN, annotations included", () => {
    const r = createRound(SERVER_ROOM, FIRED, "R-1", SH);
    for (const cmd of [
      { type: "claim", at: FIRED, by: auditor },
      { type: "checkin", at: FIRED, by: auditor, stop: "cold-aisle", via: "qr" },
      { type: "finish", at: FIRED, by: auditor },
      { type: "annotate", at: FIRED, by: auditor, text: "x" },
    ] as RoundCommand[])
      expect(refused(r, cmd)).toBe("FORBIDDEN");
  });

  it("finishing needs every stop checked in and every required item answered (text and photo are optional)", () => {
    const { round } = run(ALL_DONE.slice(0, 3));
    const res = applyRound(round, { type: "finish", at: FIRED + 10 * MIN, by: li }, context());
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error).toEqual({ code: "ROUND_INCOMPLETE", message: "not finished: stop ups-room not checked in" });
    const { round: done, audit } = run([...ALL_DONE, { type: "finish", by: li }]);
    expect(done.status).toBe("completed");
    expect(done.completedBy).toBe("li");
    expect(audit.at(-1)).toBe("inspection.finish");
  });

  it("nobody edits a finished round, not even an admin; anyone who fills may annotate it", () => {
    const { round } = run([...ALL_DONE, { type: "finish", by: li }]);
    const admin: Actor = { name: "root", role: "admin" };
    for (const by of [li, admin]) {
      expect(refused(round, { type: "answer", at: FIRED + 60 * MIN, by, stop: "cold-aisle", item: "inlet-temp", value: 30 })).toBe("ROUND_FINISHED");
      expect(refused(round, { type: "photo", at: FIRED + 60 * MIN, by, stop: "cold-aisle", hash: PHOTO_A })).toBe("ROUND_FINISHED");
      expect(refused(round, { type: "assign", at: FIRED + 60 * MIN, by, to: "wang" })).toBe("ROUND_FINISHED");
      expect(refused(round, { type: "finish", at: FIRED + 60 * MIN, by })).toBe("ROUND_FINISHED");
    }
    const note = applyRound(round, { type: "annotate", at: FIRED + 61 * MIN, by: wang, text: "温度计已校准" }, context());
    expect(note.ok && note.round.annotations).toEqual([{ at: FIRED + 61 * MIN, by: "wang", text: "温度计已校准" }]);
    expect(note.ok && note.round.answers).toEqual(round.answers);
  });
});

describe("abnormal → fault (class by the policy's rules, general by default), linked to round, stop and photo", () => {
  it("an out-of-range reading opens a general fault on the stop's device, with a link comment", () => {
    const { round, faultCommands } = run([
      { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
      { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 29.5 },
    ]);
    expect(round.faults).toEqual([{ faultId: "F-1", stopId: "cold-aisle", itemId: "inlet-temp", at: FIRED + 2 * MIN, photos: [] }]);
    const state = engine(faultCommands);
    const f = state.faults["F-1"]!;
    expect(f).toMatchObject({ device: "env-1", class: "general", status: "open", openedAt: FIRED + 2 * MIN, openedBy: "li" });
    expect(f.title).toBe("巡检异常：进风温度 29.5 °C 高于上限 27 °C（GB 50174-2017 §5.1.1）");
    expect(f.comments[0]!.text).toContain("巡检 round R-1");
    expect(f.comments[0]!.text).toContain("点位 stop cold-aisle");
  });

  it("a UPS on bypass at a high-criticality UPS is severe by the default rules (ups.* on high/medium → 严重)", () => {
    const { faultCommands } = run([
      { type: "checkin", by: li, stop: "ups-room", via: "qr" },
      { type: "answer", by: li, stop: "ups-room", item: "ups-mode", value: "旁路" },
    ]);
    expect(engine(faultCommands).faults["F-1"]).toMatchObject({ device: "ups-1", class: "severe" });
  });

  it("a policy rule for inspection.* decides the class", () => {
    const policy = policySchema.parse({ classification: { rules: [{ match: { condition: "inspection.*" }, class: "major" }] } });
    const { faultCommands } = run(
      [
        { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
        { type: "answer", by: li, stop: "cold-aisle", item: "floor-dry", value: false },
      ],
      context(policy),
    );
    expect(faultCommands[0]).toMatchObject({ type: "open", class: "major" });
  });

  it("a photo taken after the abnormal answer is linked to its fault; one taken before is in the opening link", () => {
    const after = run([
      { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
      { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 30 },
      { type: "photo", by: li, stop: "cold-aisle", hash: PHOTO_A },
    ]);
    expect(after.round.faults[0]!.photos).toEqual([PHOTO_A]);
    const state = engine(after.faultCommands);
    expect(state.faults["F-1"]!.comments.map((c) => c.text).join("\n")).toContain(`sha256:${PHOTO_A}`);
    const before = run([
      { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
      { type: "photo", by: li, stop: "cold-aisle", hash: PHOTO_B },
      { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 30 },
    ]);
    expect(before.round.faults[0]!.photos).toEqual([PHOTO_B]);
    expect((before.faultCommands[1] as { text: string }).text).toContain(`sha256:${PHOTO_B}`);
  });

  it("answering the same item abnormal again opens no second fault; a photo sent twice is kept once", () => {
    const { round, faultCommands } = run([
      { type: "checkin", by: li, stop: "cold-aisle", via: "qr" },
      { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 30 },
      { type: "answer", by: li, stop: "cold-aisle", item: "inlet-temp", value: 31 },
      { type: "photo", by: li, stop: "cold-aisle", hash: PHOTO_A },
      { type: "photo", by: li, stop: "cold-aisle", hash: PHOTO_A },
    ]);
    expect(round.faults).toHaveLength(1);
    expect(round.photos).toHaveLength(1);
    expect(faultCommands.filter((c) => c.type === "open")).toHaveLength(1);
    expect(round.answers["cold-aisle/inlet-temp"]!.value).toBe(31);
  });

  it("a normal answer opens nothing", () => {
    expect(run(ALL_DONE).faultCommands).toEqual([]);
  });
});
