import { describe, expect, it } from "vitest";
import { apply, emptyState } from "./engine.ts";
import { defaultPolicy, type Policy, policySchema } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { AuditDraft, Command, EngineState, Fault, Inventory, Notice } from "./types.ts";

const T0 = parseInstant("2026-03-02T09:00:00+08:00")!;
const MIN = 60_000;
const HOUR = 3_600_000;

class Engine {
  state: EngineState = emptyState();
  audit: AuditDraft[] = [];
  notices: Notice[] = [];
  now = T0;
  private n = 0;
  constructor(
    private policy: Policy = defaultPolicy,
    private inventory: Inventory = { devices: {} },
  ) {}
  do(cmd: Command, now = Math.max(this.now, cmd.at)) {
    this.now = now;
    const res = apply(this.state, cmd, {
      now,
      policy: this.policy,
      inventory: this.inventory,
      newId: () => `F${++this.n}`,
    });
    if (!res.ok) return res.error;
    this.state = res.state;
    this.audit.push(...res.audit);
    this.notices.push(...res.notices);
    return undefined;
  }
  faults(): Fault[] {
    return Object.values(this.state.faults).sort((a, b) => a.openedAt - b.openedAt);
  }
}

let ev = 0;
const cond = (
  at: number,
  state: "firing" | "clear",
  extra: Partial<Extract<Command, { type: "condition" }>> = {},
): Command => ({
  type: "condition",
  eventId: `e${++ev}`,
  at,
  device: "ups-1",
  condition: "ups.on_battery",
  state,
  ...extra,
});

describe("fault lifecycle", () => {
  it("a fault opens at the device-side time of the first observation, not when it was received", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"), T0 + 5 * MIN);
    expect(e.faults()[0]!.openedAt).toBe(T0);
  });
  it("dedupe: the same device+condition firing again while its fault is open opens no new fault", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + MIN, "firing"));
    expect(e.faults()).toHaveLength(1);
  });
  it("dedupe: different labels are different faults", () => {
    const e = new Engine();
    e.do(cond(T0, "firing", { labels: { line: "1" } }));
    e.do(cond(T0, "firing", { labels: { line: "2" } }));
    expect(e.faults()).toHaveLength(2);
  });
  it("the same eventId delivered twice changes nothing (no fault, no audit)", () => {
    const e = new Engine();
    const firing = cond(T0, "firing");
    const clear = cond(T0 + MIN, "clear");
    e.do(firing);
    e.do(clear);
    const before = JSON.stringify(e.state.faults);
    const audits = e.audit.length;
    e.do(firing);
    e.do(clear);
    expect(JSON.stringify(e.state.faults)).toBe(before);
    expect(e.audit.length).toBe(audits);
  });
  it("out of order: a clear arriving before its firing gives the same fault as in order", () => {
    const inOrder = new Engine();
    const f = cond(T0, "firing");
    const c = cond(T0 + 10 * MIN, "clear");
    inOrder.do(f);
    inOrder.do(c);
    const shuffled = new Engine();
    shuffled.do(c, T0 + 10 * MIN);
    expect(shuffled.faults()).toHaveLength(0);
    shuffled.do(f, T0 + 10 * MIN);
    expect(shuffled.faults()).toEqual(inOrder.faults());
    expect(shuffled.faults()[0]).toMatchObject({
      openedAt: T0,
      resolvedAt: T0 + 10 * MIN,
      status: "resolved",
    });
  });
  it("auto-resolve: the fault resolves at the clear's device time", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + 7 * MIN, "clear"), T0 + 9 * MIN);
    expect(e.faults()[0]).toMatchObject({ status: "resolved", resolvedAt: T0 + 7 * MIN, resolvedBy: "auto" });
  });
  it("autoResolve false in the matching rule: the clear does not resolve, a person does", () => {
    const policy = policySchema.parse({
      classification: { rules: [{ match: { condition: "ups.*" }, class: "severe", autoResolve: false }] },
    });
    const e = new Engine(policy);
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + MIN, "clear"));
    expect(e.faults()[0]!.status).toBe("open");
    expect(e.do({ type: "resolve", at: T0 + 5 * MIN, fault: "F1", by: "zhao" })).toBeUndefined();
    expect(e.faults()[0]).toMatchObject({ status: "resolved", resolvedAt: T0 + 5 * MIN, resolvedBy: "zhao" });
  });
  it("reopen: the same condition firing again within reopenWithinSeconds reopens the same fault, open time kept", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + 10 * MIN, "clear"));
    e.do(cond(T0 + 19 * MIN, "firing"));
    expect(e.faults()).toHaveLength(1);
    expect(e.faults()[0]).toMatchObject({ openedAt: T0, reopenCount: 1, status: "open" });
    expect(e.notices.map((n) => n.type)).toEqual(["opened", "resolved", "reopened"]);
    expect(e.audit.map((a) => a.action)).toContain("fault.reopen");
  });
  it("reopen: firing again after reopenWithinSeconds opens a new fault", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + 10 * MIN, "clear"));
    e.do(cond(T0 + 21 * MIN, "firing"));
    expect(e.faults().map((f) => [f.id, f.reopenCount])).toEqual([
      ["F1", 0],
      ["F2", 0],
    ]);
  });
  it("a closed fault never reopens: the condition firing again opens a new fault", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + 10 * MIN, "clear"));
    expect(e.do({ type: "close", at: T0 + 11 * MIN, fault: "F1", by: "li" })).toBeUndefined();
    e.do(cond(T0 + 12 * MIN, "firing"));
    expect(e.faults().map((f) => f.status)).toEqual(["closed", "open"]);
  });
  it("manual faults are opened with an explicit class and resolved by a person", () => {
    const e = new Engine();
    e.do({
      type: "open",
      at: T0,
      faultId: "seat-3",
      device: "term-3",
      class: "general",
      title: "screen dead",
      by: "li",
    });
    expect(e.faults()[0]).toMatchObject({ source: "manual", class: "general", status: "open" });
    e.do({ type: "ack", at: T0 + MIN, fault: "seat-3", by: "wang" });
    expect(e.faults()[0]!.status).toBe("acknowledged");
    e.do({ type: "resolve", at: T0 + HOUR, fault: "seat-3", by: "wang" });
    expect(e.faults()[0]).toMatchObject({ status: "resolved", resolvedBy: "wang", resolvedAt: T0 + HOUR });
    expect(e.audit.find((a) => a.action === "fault.open")!.actor).toBe("li");
  });
  it("a fault can be named by {device, condition}", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    expect(
      e.do({
        type: "ack",
        at: T0 + MIN,
        fault: { device: "ups-1", condition: "ups.on_battery" },
        by: "wang",
      }),
    ).toBeUndefined();
    expect(e.faults()[0]!.acknowledgedBy).toBe("wang");
  });
  it("reclassify: severe reclassified to general after 90 min keeps its open time, gets 24 h, and is audited", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    expect(e.faults()[0]!.class).toBe("severe");
    e.do({
      type: "reclassify",
      at: T0 + 90 * MIN,
      fault: "F1",
      class: "general",
      by: "zhou",
      reason: "on battery by test",
    });
    e.do({ type: "tick", at: T0 + 3 * HOUR });
    const f = e.faults()[0]!;
    expect(f).toMatchObject({ class: "general", openedAt: T0, breaches: [] });
    expect(f.classHistory).toEqual([
      { at: T0 + 90 * MIN, from: "severe", to: "general", by: "zhou", reason: "on battery by test" },
    ]);
    expect(e.audit).toContainEqual(
      expect.objectContaining({
        action: "fault.reclassify",
        actor: "zhou",
        detail: expect.objectContaining({ from: "severe", to: "general", reason: "on battery by test" }),
      }),
    );
  });
  it("reclassify after the old deadline passed withdraws the breach and says so in the audit", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do({ type: "tick", at: T0 + 2 * HOUR });
    expect(e.faults()[0]!.breaches).toHaveLength(1);
    e.do({
      type: "reclassify",
      at: T0 + 150 * MIN,
      fault: "F1",
      class: "general",
      by: "zhou",
      reason: "client agreed",
    });
    expect(e.faults()[0]!.breaches).toEqual([]);
    expect(e.audit.map((a) => a.action)).toContain("fault.breach.withdrawn");
  });
  it("errors are values with stable codes", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do(cond(T0 + MIN, "clear"));
    expect(e.do({ type: "ack", at: T0 + 2 * MIN, fault: "nope", by: "a" })?.code).toBe("FAULT_NOT_FOUND");
    expect(e.do({ type: "resolve", at: T0 + 2 * MIN, fault: "F1", by: "a" })?.code).toBe(
      "FAULT_ALREADY_RESOLVED",
    );
    expect(e.do({ type: "ack", at: T0 + 2 * MIN, fault: "F1", by: "a" })?.code).toBe(
      "FAULT_ALREADY_RESOLVED",
    );
    expect(
      e.do({ type: "reclassify", at: T0 + 2 * MIN, fault: "F1", class: "severe", by: "a", reason: "x" })
        ?.code,
    ).toBe("SAME_CLASS");
    expect(
      e.do({ type: "reclassify", at: T0 + 2 * MIN, fault: "F1", class: "major", by: "a", reason: "" })?.code,
    ).toBe("REASON_REQUIRED");
    expect(e.do({ type: "approve", at: T0 + 2 * MIN, fault: "F1", by: "client" })?.code).toBe(
      "EXEMPTION_NOT_PENDING",
    );
    e.do({ type: "open", at: T0, faultId: "M", device: "d", class: "major", title: "t", by: "a" });
    expect(
      e.do({ type: "open", at: T0, faultId: "M", device: "d", class: "major", title: "t", by: "a" })?.code,
    ).toBe("FAULT_EXISTS");
    expect(e.do({ type: "close", at: T0 + 3 * MIN, fault: "M", by: "a" })?.code).toBe("FAULT_NOT_RESOLVED");
    e.do({ type: "ack", at: T0 + 3 * MIN, fault: "M", by: "a" });
    expect(e.do({ type: "ack", at: T0 + 3 * MIN, fault: "M", by: "a" })?.code).toBe(
      "FAULT_ALREADY_ACKNOWLEDGED",
    );
  });
  it("every state change is audited with its actor", () => {
    const e = new Engine();
    e.do(cond(T0, "firing"));
    e.do({ type: "ack", at: T0 + MIN, fault: "F1", by: "wang", note: "remote session started" });
    e.do({ type: "comment", at: T0 + 2 * MIN, fault: "F1", by: "wang", text: "mains lost in building B" });
    e.do(cond(T0 + 20 * MIN, "clear"));
    e.do({ type: "close", at: T0 + 30 * MIN, fault: "F1", by: "li" });
    expect(e.audit.map((a) => [a.action, a.actor])).toEqual([
      ["fault.open", "engine"],
      ["fault.classify", "engine"],
      ["fault.ack", "wang"],
      ["fault.comment", "wang"],
      ["fault.resolve", "engine"],
      ["fault.close", "li"],
    ]);
  });
});
