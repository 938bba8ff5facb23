import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultPolicy } from "../policy.ts";
import { parseInstant } from "../time-format.ts";
import { SERVER_ROOM } from "./fixtures.ts";
import type { Actor } from "./roles.ts";
import { applyRound, createRound, type Round, type RoundCommand } from "./round.ts";

const FIRED = parseInstant("2026-03-20T09:00:00+08:00")!;
const actors: Actor[] = [
  { name: "li", role: "facility_manager" },
  { name: "wang", role: "engineer" },
  { name: "root", role: "admin" },
  { name: "client", role: "client_auditor" },
];
const hashes = ["a", "b", "c"].map((c) => c.repeat(64));

const command = fc.oneof(
  fc.record({ type: fc.constant("claim" as const) }),
  fc.record({ type: fc.constant("assign" as const), to: fc.constantFrom("li", "wang") }),
  fc.record({ type: fc.constant("checkin" as const), stop: fc.constantFrom("cold-aisle", "ups-room"), via: fc.constant("qr" as const) }),
  fc.record({ type: fc.constant("answer" as const), stop: fc.constant("cold-aisle"), item: fc.constant("inlet-temp"), value: fc.integer({ min: 10, max: 35 }) }),
  fc.record({ type: fc.constant("answer" as const), stop: fc.constant("cold-aisle"), item: fc.constant("floor-dry"), value: fc.boolean() }),
  fc.record({ type: fc.constant("answer" as const), stop: fc.constant("ups-room"), item: fc.constant("ups-mode"), value: fc.constantFrom("逆变", "旁路", "电池") }),
  fc.record({ type: fc.constant("photo" as const), stop: fc.constantFrom("cold-aisle", "ups-room"), hash: fc.constantFrom(...hashes) }),
  fc.record({ type: fc.constant("finish" as const) }),
  fc.record({ type: fc.constant("annotate" as const), text: fc.constantFrom("ok", "  ", "备注") }),
);
const script = fc.array(fc.tuple(command, fc.constantFrom(...actors)), { maxLength: 40 });

function drive(steps: Array<[object, Actor]>) {
  let round: Round = createRound(SERVER_ROOM, FIRED, "R-1", "Asia/Shanghai");
  let n = 0;
  const ctx = { policy: defaultPolicy, inventory: { devices: {} }, newFaultId: () => `F-${++n}` };
  const trace: Array<{ before: Round; after: Round; cmd: RoundCommand; ok: boolean; opens: number; audit: number }> = [];
  steps.forEach(([c, by], i) => {
    const cmd = { ...c, at: FIRED + i * 60_000, by } as RoundCommand;
    const res = applyRound(round, cmd, ctx);
    const after = res.ok ? res.round : round;
    trace.push({
      before: round,
      after,
      cmd,
      ok: res.ok,
      opens: res.ok ? res.faultCommands.filter((f) => f.type === "open").length : 0,
      audit: res.ok ? res.audit.length : 0,
    });
    round = after;
  });
  return { round, trace };
}

describe("round properties (random scripts of commands by random people)", () => {
  it("a finished round never changes again, except for added annotations", () => {
    fc.assert(
      fc.property(script, (steps) => {
        for (const t of drive(steps).trace)
          if (t.before.status === "completed") {
            const { annotations: _a, ...before } = t.before;
            const { annotations: _b, ...after } = t.after;
            expect(after).toEqual(before);
            if (t.ok) expect(t.cmd.type).toBe("annotate");
          }
      }),
    );
  });

  it("the client auditor changes nothing", () => {
    fc.assert(
      fc.property(script, (steps) => {
        for (const t of drive(steps).trace) if (t.cmd.by.role === "client_auditor") expect(t.ok).toBe(false);
      }),
    );
  });

  it("one fault per item answered abnormally, at most; every fault is in the round's record", () => {
    fc.assert(
      fc.property(script, (steps) => {
        const { round, trace } = drive(steps);
        const opened = trace.reduce((s, t) => s + t.opens, 0);
        const abnormalItems = new Set(
          trace
            .filter((t) => t.ok && t.cmd.type === "answer" && t.after.answers[`${t.cmd.stop}/${t.cmd.item}`]?.abnormal)
            .map((t) => (t.cmd.type === "answer" ? `${t.cmd.stop}/${t.cmd.item}` : "")),
        );
        expect(opened).toBe(abnormalItems.size);
        expect(round.faults.map((f) => `${f.stopId}/${f.itemId}`).sort()).toEqual([...abnormalItems].sort());
        // A fault carries exactly the photos taken at its stop.
        for (const f of round.faults)
          expect([...f.photos].sort()).toEqual(round.photos.filter((p) => p.stopId === f.stopId).map((p) => p.hash).sort());
      }),
    );
  });

  it("every accepted change is audited", () => {
    fc.assert(
      fc.property(script, (steps) => {
        for (const t of drive(steps).trace) if (t.ok && t.after !== t.before) expect(t.audit).toBeGreaterThan(0);
      }),
    );
  });
});
