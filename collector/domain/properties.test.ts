import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "./deadlines.ts";
import { advanceTo, apply, emptyState } from "./engine.ts";
import { faultOut } from "./fault-out.ts";
import { kpiFor, kpiOut } from "./kpi.ts";
import { parsePeriod } from "./period.ts";
import { defaultPolicy, type Policy, policySchema } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { AuditDraft, Command, EngineState, Fault, FaultClass, Inventory, Period } from "./types.ts";

const T0 = parseInstant("2026-03-20T09:00:00+08:00")!;
const MIN = 60_000;
const Q1 = parsePeriod("2026Q1", "Asia/Shanghai") as Period;
const inventory: Inventory = {
  devices: {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
    "sw-1": { id: "sw-1", class: "network", criticality: "medium", dependsOn: ["core"] },
    "sw-2": { id: "sw-2", class: "network", criticality: "low", dependsOn: ["core"] },
  },
};
const devices = ["core", "sw-1", "sw-2", "ups-1"];
const conditions = ["device.unreachable", "ups.on_battery"];

/** Applies commands in order (refused ones are skipped), then brings the state to `end`. */
function drive(cmds: Command[], end: number): EngineState {
  let state = emptyState();
  let n = 0;
  let now = 0;
  const newId = () => `F${++n}`;
  for (const cmd of cmds) {
    now = Math.max(now, cmd.at);
    const res = apply(state, cmd, { now, policy: defaultPolicy, inventory, newId });
    if (res.ok) state = res.state;
  }
  const res = apply(
    state,
    { type: "tick", at: end },
    { now: Math.max(now, end), policy: defaultPolicy, inventory, newId },
  );
  if (!res.ok) throw new Error(res.error.message);
  return res.state;
}

function report(state: EngineState) {
  const faults = Object.values(state.faults).sort(
    (a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1),
  );
  return {
    faults: faults.map((f) => faultOut(f, state.now, defaultPolicy)),
    kpi: kpiOut(kpiFor(Q1, faults, defaultPolicy, state.now), "Asia/Shanghai"),
  };
}

/** Faults without their ids (ids depend on the order faults were first seen). */
function normalized(state: EngineState) {
  return Object.values(state.faults)
    .map((f) => ({
      key: f.key,
      openedAt: f.openedAt,
      firstObservedAt: f.firstObservedAt,
      resolvedAt: f.resolvedAt,
      reopenCount: f.reopenCount,
      status: f.status,
      class: f.class,
      children: f.children.length,
      breaches: f.breaches,
      parentDevice: f.parentId ? state.faults[f.parentId]?.device : undefined,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.openedAt - b.openedAt));
}

const conditionEvent = fc.record({
  device: fc.constantFrom(...devices),
  condition: fc.constantFrom(...conditions),
  state: fc.constantFrom("firing" as const, "clear" as const),
  minute: fc.integer({ min: 0, max: 240 }),
  second: fc.integer({ min: 0, max: 59 }),
});
const events = fc.array(conditionEvent, { maxLength: 30 }).map((list) =>
  list.map(
    (e, i): Command => ({
      type: "condition",
      eventId: `e${i}`,
      at: T0 + e.minute * MIN + e.second * 1000,
      device: e.device,
      condition: e.condition,
      state: e.state,
    }),
  ),
);

const humanAction = fc.record({
  type: fc.constantFrom(
    "ack" as const,
    "resolve" as const,
    "reclassify" as const,
    "exempt" as const,
    "approve" as const,
  ),
  device: fc.constantFrom(...devices),
  condition: fc.constantFrom(...conditions),
  minute: fc.integer({ min: 0, max: 300 }),
  cls: fc.constantFrom<FaultClass>("major", "severe", "general"),
});

const scenario = fc.tuple(events, fc.array(humanAction, { maxLength: 10 })).map(([evts, acts]) => {
  const cmds: Command[] = [...evts];
  for (const a of acts) {
    const at = T0 + a.minute * MIN;
    const fault = { device: a.device, condition: a.condition };
    if (a.type === "reclassify")
      cmds.push({ type: "reclassify", at, fault, class: a.cls, by: "p", reason: "r" });
    else if (a.type === "exempt") cmds.push({ type: "exempt", at, fault, reason: "flood", by: "p" });
    else cmds.push({ type: a.type, at, fault, by: "p" });
  }
  return cmds.sort((x, y) => x.at - y.at);
});

describe("properties (fast-check)", () => {
  it("replaying the same scenario twice gives identical output", () => {
    fc.assert(
      fc.property(scenario, (cmds) => {
        const end = T0 + 2 * 86_400_000;
        expect(JSON.stringify(report(drive(cmds, end)))).toBe(JSON.stringify(report(drive(cmds, end))));
      }),
      { numRuns: 60 },
    );
  });

  it("delivering the same condition events twice, or in any order, gives the same faults", () => {
    const arb = events.chain((evts) =>
      fc.tuple(
        fc.constant(evts),
        fc.shuffledSubarray(evts, { minLength: evts.length, maxLength: evts.length }),
        fc.subarray(evts),
      ),
    );
    fc.assert(
      fc.property(arb, ([inOrder, shuffled, again]) => {
        const end = T0 + 6 * 3_600_000;
        const sorted = [...inOrder].sort((a, b) => a.at - b.at);
        const expected = normalized(drive(sorted, end));
        expect(normalized(drive([...shuffled, ...again], end))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("a fault's met/breached does not change with the report time once all its deadlines have passed", () => {
    const arb = fc.record({
      cls: fc.constantFrom<FaultClass>("major", "severe", "general"),
      ack: fc.option(fc.integer({ min: 0, max: 3 * 86_400 }), { nil: undefined }),
      resolve: fc.option(fc.integer({ min: 0, max: 3 * 86_400 }), { nil: undefined }),
      after: fc.integer({ min: 0, max: 86_400 }),
      later: fc.integer({ min: 0, max: 30 * 86_400 }),
    });
    fc.assert(
      fc.property(arb, ({ cls, ack, resolve, after, later }) => {
        const cmds: Command[] = [
          { type: "open", at: T0, faultId: "M", device: "d", class: cls, title: "t", by: "p" },
        ];
        if (ack !== undefined) cmds.push({ type: "ack", at: T0 + ack * 1000, fault: "M", by: "p" });
        if (resolve !== undefined)
          cmds.push({ type: "resolve", at: T0 + resolve * 1000, fault: "M", by: "p" });
        cmds.sort((a, b) => a.at - b.at);
        const lastDue = T0 + 86_400_000;
        const t1 = Math.max(lastDue, ...cmds.map((c) => c.at)) + after * 1000;
        const f1 = drive(cmds, t1).faults["M"] as Fault;
        const f2 = drive(cmds, t1 + later * 1000).faults["M"] as Fault;
        const e1 = evaluate(f1, t1, defaultPolicy);
        const e2 = evaluate(f2, t1 + later * 1000, defaultPolicy);
        expect(e2.overall).toBe(e1.overall);
        expect(e2.deadlines.map((d) => d.status)).toEqual(e1.deadlines.map((d) => d.status));
        expect(e1.deadlines.every((d) => d.status !== "pending")).toBe(true);
        expect(f2.breaches).toEqual(f1.breaches);
      }),
      { numRuns: 200 },
    );
  });

  it("KPI: total = met + breached + exempted + planned + pending, and timeliness is within [0, 1]", () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 3 * 86_400 }), (cmds, seconds) => {
        const { kpi } = report(drive(cmds, T0 + seconds * 1000));
        expect(kpi.total).toBe(kpi.met + kpi.breached + kpi.exempted + kpi.planned + kpi.pending);
        expect(kpi.timeliness).toBeGreaterThanOrEqual(0);
        expect(kpi.timeliness).toBeLessThanOrEqual(1);
        expect(kpi.met_target).toBe(kpi.breached === 0);
      }),
      { numRuns: 80 },
    );
  });
});

/** Exemptions within 1 h, so faults settle within hours; archive at the smallest safe age (1 h + 1 s) or never. */
const shortWindows = { exemptions: { requestWithinSeconds: "1h" } };
const archiving: Policy = policySchema.parse({ ...shortWindows, archive: { afterSeconds: 3601 } });
const notArchiving: Policy = policySchema.parse({ ...shortWindows, archive: { afterSeconds: null } });

/** The collector's way (timer advance, then the command); commands refused FAULT_ARCHIVED are listed. */
function driveArchiving(cmds: Command[], end: number, policy: Policy, skip: Set<number>) {
  let state = emptyState();
  let n = 0;
  let now = 0;
  const audit: AuditDraft[] = [];
  const archivedRefusals = new Set<number>();
  const ctx = (at: number) => {
    now = Math.max(now, at);
    return { now, policy, inventory, newId: () => `F${++n}` };
  };
  const step = (at: number) => {
    const adv = advanceTo(state, ctx(at));
    state = adv.state;
    audit.push(...adv.audit.filter((a) => a.action !== "fault.archive"));
  };
  cmds.forEach((cmd, i) => {
    step(cmd.at);
    if (skip.has(i)) return;
    const res = apply(state, cmd, ctx(cmd.at));
    if (res.ok) {
      state = res.state;
      audit.push(...res.audit);
    } else if (res.error.code === "FAULT_ARCHIVED") archivedRefusals.add(i);
  });
  step(end);
  return { state, audit, archivedRefusals };
}

function reportWith(state: EngineState, policy: Policy) {
  const faults = Object.values(state.faults).sort(
    (a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1),
  );
  return {
    faults: faults.map((f) => faultOut(f, state.now, policy)),
    kpi: kpiOut(kpiFor(Q1, faults, policy, state.now), "Asia/Shanghai"),
  };
}

const DAY_MIN = 24 * 60;
const longEvents = fc
  .array(
    fc.record({
      device: fc.constantFrom(...devices),
      condition: fc.constantFrom(...conditions),
      state: fc.constantFrom("firing" as const, "clear" as const),
      minute: fc.integer({ min: 0, max: 3 * DAY_MIN }),
    }),
    { minLength: 10, maxLength: 60, size: "max" },
  )
  .map((list) =>
    list.map(
      (e, i): Command => ({
        type: "condition",
        eventId: `e${i}`,
        at: T0 + e.minute * MIN,
        device: e.device,
        condition: e.condition,
        state: e.state,
      }),
    ),
  );
const longAction = fc.record({
  type: fc.constantFrom(
    "ack",
    "resolve",
    "close",
    "comment",
    "reclassify",
    "exempt",
    "approve",
    "reject",
    "open",
  ),
  device: fc.constantFrom(...devices),
  condition: fc.constantFrom(...conditions, "manual"),
  minute: fc.integer({ min: 0, max: 3 * DAY_MIN }),
  cls: fc.constantFrom<FaultClass>("major", "severe", "general"),
});
const longScenario = fc
  .tuple(longEvents, fc.array(longAction, { maxLength: 25, size: "max" }))
  .map(([evts, acts]) => {
    const cmds: Command[] = [...evts];
    acts.forEach((a, i) => {
      const at = T0 + a.minute * MIN;
      const fault = a.condition === "manual" ? `M${i % 3}` : { device: a.device, condition: a.condition };
      if (a.type === "open")
        cmds.push({
          type: "open",
          at,
          faultId: `M${i % 3}`,
          device: a.device,
          class: a.cls,
          title: "t",
          by: "p",
        });
      else if (a.type === "reclassify")
        cmds.push({ type: "reclassify", at, fault, class: a.cls, by: "p", reason: "r" });
      else if (a.type === "exempt") cmds.push({ type: "exempt", at, fault, reason: "flood", by: "p" });
      else if (a.type === "comment") cmds.push({ type: "comment", at, fault, text: "note", by: "p" });
      else cmds.push({ type: a.type as "ack", at, fault, by: "p" });
    });
    return cmds.sort((x, y) => x.at - y.at);
  });

let archivedSomewhere = 0;
describe("archiving (fast-check)", () => {
  it("faults, KPI and audit are the same with archiving at the smallest safe age as without it", () => {
    fc.assert(
      fc.property(longScenario, fc.integer({ min: 0, max: DAY_MIN }), (cmds, extra) => {
        const end = T0 + (3 * DAY_MIN + extra) * MIN;
        const a = driveArchiving(cmds, end, archiving, new Set());
        const b = driveArchiving(cmds, end, notArchiving, a.archivedRefusals);
        archivedSomewhere += Object.keys(a.state.archive?.faults ?? {}).length;
        expect(b.state.archive).toBeUndefined();
        expect(a.state.faults).toEqual(b.state.faults);
        expect(JSON.stringify(reportWith(a.state, archiving))).toBe(
          JSON.stringify(reportWith(b.state, notArchiving)),
        );
        expect(a.audit).toEqual(b.audit);
        const events = (s: EngineState) => Object.values(s.log.keys).reduce((n, k) => n + k.events.length, 0);
        expect(events(a.state)).toBeLessThanOrEqual(events(b.state));
      }),
      { numRuns: 150 },
    );
    expect(archivedSomewhere).toBeGreaterThan(150);
  });
});
