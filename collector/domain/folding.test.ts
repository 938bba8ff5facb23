import { describe, expect, it } from "vitest";
import { apply, emptyState, nextDueAt } from "./engine.ts";
import { defaultPolicy } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { Command, EngineState, Fault, Inventory, Notice } from "./types.ts";

const T0 = parseInstant("2026-03-02T09:00:00+08:00")!;
const SEC = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;

const children = Array.from({ length: 40 }, (_, i) => `sw-${i + 1}`);
const inventory: Inventory = {
  devices: {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
    ...Object.fromEntries(
      children.map((id) => [id, { id, class: "network", criticality: "medium", dependsOn: ["core"] }]),
    ),
  },
};

const unreachable = (device: string, at: number, state: "firing" | "clear" = "firing"): Command => ({
  type: "condition",
  eventId: `${device}@${at}:${state}`,
  at,
  device,
  condition: "device.unreachable",
  state,
});

function run(cmds: Command[], finalNow?: number): { state: EngineState; notices: Notice[] } {
  let state = emptyState();
  let n = 0;
  let now = 0;
  const notices: Notice[] = [];
  const ctx = () => ({ now, policy: defaultPolicy, inventory, newId: () => `F${++n}` });
  for (const cmd of cmds) {
    now = Math.max(now, cmd.at);
    const res = apply(state, cmd, ctx());
    if (!res.ok) throw new Error(res.error.message);
    state = res.state;
    notices.push(...res.notices);
  }
  if (finalNow !== undefined) {
    now = finalNow;
    const res = apply(state, { type: "tick", at: now }, ctx());
    if (!res.ok) throw new Error(res.error.message);
    state = res.state;
    notices.push(...res.notices);
  }
  return { state, notices };
}

const realFaults = (s: EngineState): Fault[] => Object.values(s.faults).filter((f) => f.status !== "folded");

describe("dependencies: children fold into the parent's fault", () => {
  it("a parent and 40 children going down together open exactly one fault (parent first)", () => {
    const { state } = run([
      unreachable("core", T0),
      ...children.map((c, i) => unreachable(c, T0 + 5 * SEC + i)),
    ]);
    const faults = realFaults(state);
    expect(faults).toHaveLength(1);
    expect(faults[0]!.device).toBe("core");
    expect(faults[0]!.children).toHaveLength(40);
    expect(Object.values(state.faults).filter((f) => f.status === "folded")).toHaveLength(40);
  });
  it("a parent and 40 children open exactly one fault when the children's events arrive first", () => {
    const { state, notices } = run([
      ...children.map((c, i) => unreachable(c, T0 - 30 * SEC + i)),
      unreachable("core", T0),
    ]);
    expect(realFaults(state).map((f) => f.device)).toEqual(["core"]);
    expect(realFaults(state)[0]!.children).toHaveLength(40);
    expect(notices.filter((n) => n.type === "opened").map((n) => n.faultId)).toHaveLength(1);
  });
  it("the parent with 40 folded children counts as 41 affected devices for classification (rule minAffectedDevices: 10)", () => {
    const { state } = run([unreachable("core", T0), ...children.map((c) => unreachable(c, T0 + SEC))]);
    expect(realFaults(state)[0]).toMatchObject({ class: "major", classSource: "rule:1" });
  });
  it("a child that went unreachable longer than foldGraceSeconds before the parent keeps its own fault", () => {
    const { state } = run([unreachable("sw-1", T0 - 3 * MIN), unreachable("core", T0)]);
    expect(
      realFaults(state)
        .map((f) => f.device)
        .sort(),
    ).toEqual(["core", "sw-1"]);
  });
  it("children unfold into their own fault when the parent resolves and they are still firing", () => {
    const { state, notices } = run(
      [
        unreachable("core", T0),
        unreachable("sw-1", T0 + SEC),
        unreachable("sw-2", T0 + SEC),
        unreachable("core", T0 + HOUR, "clear"),
        unreachable("sw-1", T0 + HOUR + 20 * SEC, "clear"),
      ],
      T0 + HOUR + 5 * MIN,
    );
    const own = realFaults(state).find((f) => f.device === "sw-2")!;
    expect(own).toMatchObject({ status: "open", openedAt: T0 + HOUR, firstObservedAt: T0 + SEC });
    expect(own.fold).toMatchObject({
      directParentId: realFaults(state).find((f) => f.device === "core")!.id,
    });
    expect(
      state.faults[Object.keys(state.faults).find((id) => state.faults[id]!.device === "sw-1")!]!.status,
    ).toBe("folded");
    expect(notices).toContainEqual(expect.objectContaining({ type: "unfolded", faultId: own.id }));
  });
  it("the unfold happens at the timer: nextDueAt names parent resolution + foldGraceSeconds", () => {
    const { state } = run([
      unreachable("core", T0),
      unreachable("sw-2", T0 + SEC),
      unreachable("core", T0 + HOUR, "clear"),
    ]);
    expect(realFaults(state).map((f) => f.device)).toEqual(["core"]);
    expect(nextDueAt(state, defaultPolicy)).toBe(T0 + HOUR + 120 * SEC);
  });
  it("a child with parents and no parent fault yet is held (pendingFoldUntil) and announced only after the grace", () => {
    const { state, notices } = run([unreachable("sw-1", T0)]);
    expect(state.faults["F1"]!.pendingFoldUntil).toBe(T0 + 120 * SEC);
    expect(notices.filter((n) => n.type === "opened")).toEqual([]);
    const later = run([unreachable("sw-1", T0)], T0 + 120 * SEC);
    expect(later.notices.filter((n) => n.type === "opened").map((n) => n.faultId)).toEqual(["F1"]);
  });
});
