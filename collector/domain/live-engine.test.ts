import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextArchiveAt } from "./archive.ts";
import { canonicalJson } from "./audit-chain.ts";
import { advanceTo, apply, emptyState, nextDueAt } from "./engine.ts";
import { kpiFor, kpiOut } from "./kpi.ts";
import { LiveEngine } from "./live-engine.ts";
import { parsePeriod } from "./period.ts";
import { DEFAULT_RULES, defaultPolicy, type Policy, policySchema } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { Command, EngineState, FaultClass, FaultRef, Inventory, Period } from "./types.ts";

const T0 = parseInstant("2026-03-31T20:00:00+08:00")!;
const MIN = 60_000;
const Q1 = parsePeriod("2026Q1", "Asia/Shanghai") as Period;

/** Two levels of folding (core → sw-1 → ap-1), a zone for windows, and a device outside the inventory (ups-9). */
const inventory: Inventory = {
  devices: {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
    "sw-1": { id: "sw-1", class: "network", criticality: "medium", zone: "floor", dependsOn: ["core"] },
    "sw-2": { id: "sw-2", class: "network", criticality: "low", zone: "floor", dependsOn: ["core"] },
    "ap-1": { id: "ap-1", class: "wireless", criticality: "low", dependsOn: ["sw-1"] },
    "ups-1": { id: "ups-1", class: "ups", criticality: "high", dependsOn: [] },
  },
};
const DEVICES = ["core", "sw-1", "sw-2", "ap-1", "ups-1", "ups-9"];
const CONDITIONS = ["device.unreachable", "ups.on_battery", "if.down"];

/** Windows short enough that faults archive within the run; classes that change with folded children. */
const policies: Record<string, Policy> = {
  default: defaultPolicy,
  archiving: policySchema.parse({
    exemptions: { requestWithinSeconds: "1h" },
    archive: { afterSeconds: 3601 },
    dependencies: { foldGraceSeconds: 300 },
    classification: {
      rules: [
        { match: { minAffectedDevices: 2 }, class: "major" },
        { match: { condition: "ups.*" }, class: "severe", autoResolve: false },
        ...DEFAULT_RULES,
      ],
    },
  }),
  inclusive: policySchema.parse({
    deadlineComparison: "inclusive",
    reopenWithinSeconds: 3 * 3600,
    exemptions: { requestWithinSeconds: "4h" },
    archive: { afterSeconds: 4 * 3600 + 1 },
  }),
};

type Step = { advance: true; at: number } | { advance: false; command: Command };

const at = fc.integer({ min: 0, max: 600 }).map((m) => T0 + m * MIN);
const ref: fc.Arbitrary<FaultRef> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ device: "core", condition: "device.unreachable" }) },
  fc.record({ device: fc.constantFrom(...DEVICES), condition: fc.constantFrom(...CONDITIONS) }),
  fc.constantFrom("F1", "F2", "F3", "F4", "F5", "F6", "M1"),
);
const cls = fc.constantFrom<FaultClass>("major", "severe", "general");

const condition = fc
  .record({
    // Weighted towards few keys, so clears meet their firings, late events join episodes (merges) and parents fold children.
    device: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("core", "sw-1", "ap-1") },
      { weight: 1, arbitrary: fc.constantFrom(...DEVICES) },
    ),
    condition: fc.oneof(
      { weight: 4, arbitrary: fc.constant("device.unreachable") },
      { weight: 1, arbitrary: fc.constantFrom(...CONDITIONS) },
    ),
    port: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("1", "2") }),
    state: fc.constantFrom("firing" as const, "clear" as const),
    at,
    late: fc.integer({ min: 0, max: 90 }),
    hint: fc.constantFrom(undefined, "major" as const, "general" as const),
    id: fc.integer({ min: 0, max: 60 }),
  })
  .map(
    (e): Command => ({
      type: "condition",
      // Ids repeat: a repeated id is a redelivery (an outbox resends what it sent).
      eventId: `e${e.id}`,
      at: e.at - e.late * MIN,
      device: e.device,
      condition: e.condition,
      ...(e.port !== undefined ? { labels: { ifname: e.port } } : {}),
      state: e.state,
      ...(e.hint !== undefined ? { classHint: e.hint } : {}),
    }),
  );

const human = fc.oneof(
  fc.record({ at, fault: ref }).map((c): Command => ({ type: "ack", ...c, by: "eng" })),
  fc.record({ at, fault: ref }).map((c): Command => ({ type: "resolve", ...c, by: "eng" })),
  fc.record({ at, fault: ref }).map((c): Command => ({ type: "close", ...c, by: "eng" })),
  fc.record({ at, fault: ref }).map((c): Command => ({ type: "comment", ...c, by: "eng", text: "on it" })),
  fc.record({ at, fault: ref, class: cls }).map((c): Command => ({ type: "reclassify", ...c, by: "eng", reason: "r" })),
  fc.record({ at, fault: ref }).map((c): Command => ({ type: "exempt", ...c, by: "fm", reason: "flood" })),
  fc.record({ at, fault: ref, ok: fc.boolean() }).map(
    (c): Command => ({ type: c.ok ? "approve" : "reject", at: c.at, fault: c.fault, by: "client" }),
  ),
  fc.record({ at, device: fc.constantFrom(...DEVICES), class: cls }).map(
    (c): Command => ({ type: "open", at: c.at, faultId: "M1", device: c.device, class: c.class, title: "t", by: "fm" }),
  ),
  fc
    .record({
      at,
      id: fc.constantFrom("W1", "W2"),
      devices: fc.subarray(DEVICES),
      zones: fc.subarray(["floor"]),
      start: fc.integer({ min: -60, max: 300 }),
      len: fc.integer({ min: 1, max: 240 }),
      notice: fc.constantFrom(0, 72 * 60),
    })
    .filter((w) => w.devices.length + w.zones.length > 0)
    .map(
      (w): Command => ({
        type: "window",
        at: w.at,
        windowId: w.id,
        devices: w.devices,
        zones: w.zones,
        start: T0 + w.start * MIN,
        end: T0 + (w.start + w.len) * MIN,
        announced: T0 + (w.start - w.notice) * MIN,
        reason: "upgrade",
        by: "eng",
      }),
    ),
  at.map((t): Command => ({ type: "tick", at: t })),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: condition.map((command): Step => ({ advance: false, command })) },
  { weight: 3, arbitrary: human.map((command): Step => ({ advance: false, command })) },
  { weight: 1, arbitrary: fc.record({ t: at, h: fc.integer({ min: 0, max: 6 }) }).map((a): Step => ({ advance: true, at: a.t + a.h * 3600_000 })) },
);

const faultsOf = (s: EngineState) =>
  Object.values(s.faults)
    .map((f) => canonicalJson(f))
    .sort();

/** Runs the steps through the reference and the incremental engine, comparing after every step. */
function compare(steps: Step[], policy: Policy) {
  let reference = emptyState();
  const live = new LiveEngine();
  let refIds = 0;
  let liveIds = 0;
  let now = 0;
  for (const [i, s] of steps.entries()) {
    now = Math.max(now, s.advance ? s.at : s.command.at);
    const base = { now, policy, inventory };
    const where = `step ${i}: ${JSON.stringify(s)}`;
    if (s.advance) {
      const r = advanceTo(reference, { ...base, newId: () => `F${++refIds}` });
      const l = live.advanceTo({ ...base, newId: () => `F${++liveIds}` });
      reference = r.state;
      expect(l.audit, where).toEqual(r.audit);
      expect(l.notices, where).toEqual(r.notices);
    } else {
      const r = apply(reference, s.command, { ...base, newId: () => `F${++refIds}` });
      const l = live.apply(s.command, { ...base, newId: () => `F${++liveIds}` });
      expect(l.ok, where).toBe(r.ok);
      if (!r.ok || !l.ok) {
        expect(l.ok ? undefined : l.error, where).toEqual(r.ok ? undefined : r.error);
        continue;
      }
      reference = r.state;
      expect(l.audit, where).toEqual(r.audit);
      expect(l.notices, where).toEqual(r.notices);
    }
    expect(faultsOf(live.toState()), where).toEqual(faultsOf(reference));
    expect(live.nextDueAt(policy), where).toBe(nextDueAt(reference, policy));
    expect(live.nextArchiveAt(policy), where).toBe(nextArchiveAt(reference, policy));
  }
  const kpi = (faults: Iterable<import("./types.ts").Fault>) => kpiOut(kpiFor(Q1, [...faults], policy, now), "Asia/Shanghai");
  expect(kpi(live.faults())).toEqual(kpi(Object.values(reference.faults)));
}

describe("the incremental engine gives exactly the reference engine's faults, audit, notices and KPI", () => {
  for (const [name, policy] of Object.entries(policies))
    it(`property (${name} policy): random commands out of order, redelivered, folded, windowed, exempted, archived`, () => {
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => compare(steps, policy)),
        { numRuns: 150 },
      );
    });
});
