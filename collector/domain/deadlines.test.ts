import { describe, expect, it } from "vitest";
import { faultFixture } from "../../test/fixtures/fault.ts";
import { deadlinesFor, evaluate } from "./deadlines.ts";
import { apply, emptyState, nextDueAt } from "./engine.ts";
import { defaultPolicy, type Policy, policySchema } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { Command, EngineState, Fault, FaultClass } from "./types.ts";

const T0 = parseInstant("2026-03-02T09:00:00+08:00")!;
const MIN = 60_000;
const HOUR = 3_600_000;
const inclusive: Policy = policySchema.parse({ deadlineComparison: "inclusive" });

function fault(cls: FaultClass, extra: Partial<Fault> = {}): Fault {
  return faultFixture({ id: "x", class: cls, openedAt: T0, ...extra });
}

function run(cmds: Command[], policy: Policy = defaultPolicy): EngineState {
  let state = emptyState();
  let n = 0;
  for (const cmd of cmds) {
    const res = apply(state, cmd, {
      now: cmd.at,
      policy,
      inventory: { devices: {} },
      newId: () => `F${++n}`,
    });
    if (!res.ok) throw new Error(res.error.message);
    state = res.state;
  }
  return state;
}

describe("deadlines (contract: 重大 respond 30 min + resolve 24 h, 严重 2 h, 一般 24 h)", () => {
  it("major has a respond deadline of 30 min and a resolve deadline of 24 h", () => {
    expect(deadlinesFor(fault("major"), defaultPolicy)).toEqual([
      { kind: "respond", limitSeconds: 1800, due: T0 + 30 * MIN },
      { kind: "resolve", limitSeconds: 86400, due: T0 + 24 * HOUR },
    ]);
  });
  it("severe is resolved within 2 h, general within 24 h, neither has a respond deadline", () => {
    expect(deadlinesFor(fault("severe"), defaultPolicy)).toEqual([
      { kind: "resolve", limitSeconds: 7200, due: T0 + 2 * HOUR },
    ]);
    expect(deadlinesFor(fault("general"), defaultPolicy)).toEqual([
      { kind: "resolve", limitSeconds: 86400, due: T0 + 24 * HOUR },
    ]);
  });

  it("major: response (ack) at 29:59 is on time", () => {
    const f = fault("major", { acknowledgedAt: T0 + 29 * MIN + 59_000, resolvedAt: T0 + HOUR });
    const ev = evaluate(f, T0 + 2 * HOUR, defaultPolicy);
    expect(ev.deadlines[0]).toMatchObject({ kind: "respond", status: "met" });
    expect(ev.overall).toBe("met");
  });
  it("major: response at exactly 30:00 is late (小于)", () => {
    const f = fault("major", { acknowledgedAt: T0 + 30 * MIN, resolvedAt: T0 + HOUR });
    const ev = evaluate(f, T0 + 2 * HOUR, defaultPolicy);
    expect(ev.deadlines[0]).toMatchObject({ kind: "respond", status: "breached", missedBySeconds: 0 });
    expect(ev.overall).toBe("breached");
  });
  it("inclusive policy: response at exactly 30:00 is on time, at 30:01 late", () => {
    const at30 = fault("major", { acknowledgedAt: T0 + 30 * MIN, resolvedAt: T0 + HOUR });
    expect(evaluate(at30, T0 + 2 * HOUR, inclusive).deadlines[0]!.status).toBe("met");
    const at3001 = fault("major", { acknowledgedAt: T0 + 30 * MIN + 1000, resolvedAt: T0 + HOUR });
    expect(evaluate(at3001, T0 + 2 * HOUR, inclusive).deadlines[0]!.status).toBe("breached");
  });
  it("severe: resolved at 1:59:59 meets, at exactly 2:00:00 breaches (小于)", () => {
    expect(
      evaluate(fault("severe", { resolvedAt: T0 + 2 * HOUR - 1000 }), T0 + 3 * HOUR, defaultPolicy).overall,
    ).toBe("met");
    expect(
      evaluate(fault("severe", { resolvedAt: T0 + 2 * HOUR }), T0 + 3 * HOUR, defaultPolicy).overall,
    ).toBe("breached");
  });
  it("a fault meets its SLA only when every deadline is met: major acked in time but resolved after 24 h", () => {
    const f = fault("major", { acknowledgedAt: T0 + MIN, resolvedAt: T0 + 25 * HOUR });
    const ev = evaluate(f, T0 + 26 * HOUR, defaultPolicy);
    expect(ev.deadlines.map((d) => d.status)).toEqual(["met", "breached"]);
    expect(ev.overall).toBe("breached");
  });
  it("major resolved within 30 min without an ack: the resolution counts as the response", () => {
    const ev = evaluate(fault("major", { resolvedAt: T0 + 10 * MIN }), T0 + HOUR, defaultPolicy);
    expect(ev.overall).toBe("met");
  });
  it("an open fault is pending until the due instant and breached AT the due instant (strict)", () => {
    const f = fault("severe");
    const before = evaluate(f, T0 + 2 * HOUR - 1, defaultPolicy);
    expect(before.overall).toBe("pending");
    expect(before.deadlines[0]!.secondsLeft).toBeCloseTo(0.001);
    expect(evaluate(f, T0 + 2 * HOUR, defaultPolicy).overall).toBe("breached");
  });
  it("inclusive: an open fault is not yet breached at the due instant, only after it", () => {
    expect(evaluate(fault("severe"), T0 + 2 * HOUR, inclusive).overall).toBe("pending");
    expect(evaluate(fault("severe"), T0 + 2 * HOUR + 1, inclusive).overall).toBe("breached");
  });
});

describe("breach recording by the engine", () => {
  const open: Command = {
    type: "open",
    at: T0,
    faultId: "M1",
    device: "seat-1",
    class: "major",
    title: "down",
    by: "li",
  };

  it("a fault still open past its deadline is recorded as breached at the due time, not when someone looks", () => {
    const state = run([open, { type: "tick", at: T0 + 5 * HOUR }]);
    expect(state.faults["M1"]!.breaches).toEqual([{ deadline: "respond", at: T0 + 30 * MIN }]);
  });
  it("the breach appears in the audit and as a notice exactly when the timer reaches the due instant", () => {
    let state = run([open]);
    const ctx = { policy: defaultPolicy, inventory: { devices: {} }, newId: () => "n" };
    expect(nextDueAt(state, defaultPolicy)).toBe(T0 + 30 * MIN);
    const early = apply(state, { type: "tick", at: T0 + 30 * MIN - 1 }, { ...ctx, now: T0 + 30 * MIN - 1 });
    if (!early.ok) throw new Error();
    expect(early.notices.filter((n) => n.type === "breached")).toEqual([]);
    state = early.state;
    const due = apply(state, { type: "tick", at: T0 + 30 * MIN }, { ...ctx, now: T0 + 30 * MIN });
    if (!due.ok) throw new Error();
    expect(due.notices).toContainEqual(
      expect.objectContaining({ type: "breached", deadline: "respond", at: T0 + 30 * MIN }),
    );
    expect(due.audit).toContainEqual(expect.objectContaining({ action: "fault.breach", faultId: "M1" }));
    expect(nextDueAt(due.state, defaultPolicy)).toBe(T0 + 24 * HOUR);
  });
  it("nextDueAt is undefined once every deadline of every fault is met or breached", () => {
    const state = run([
      open,
      { type: "ack", at: T0 + MIN, fault: "M1", by: "li" },
      { type: "resolve", at: T0 + 2 * MIN, fault: "M1", by: "li" },
    ]);
    expect(nextDueAt(state, defaultPolicy)).toBeUndefined();
  });
});
