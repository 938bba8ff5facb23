import fc from "fast-check";
import { inventory, policies, type Step, step } from "../../test/fixtures/engine-steps.ts";
import { describe, expect, it } from "vitest";
import { nextArchiveAt } from "./archive.ts";
import { canonicalJson } from "./audit-chain.ts";
import { advanceTo, apply, emptyState, nextDueAt } from "./engine.ts";
import { kpiFor, kpiOut } from "./kpi.ts";
import { type ArchivedFaults, archivedRefs, LiveEngine } from "./live-engine.ts";
import { parsePeriod } from "./period.ts";
import type { Policy } from "./policy.ts";
import type { Command, EngineState, Fault, Period } from "./types.ts";

const Q1 = parsePeriod("2026Q1", "Asia/Shanghai") as Period;

const faultsOf = (s: EngineState) =>
  Object.values(s.faults)
    .map((f) => canonicalJson(f))
    .sort();

/**
 * The archived faults a command refers to, as the collector's store gives them back (by id, or every
 * one of the device and condition): the stand-in for the store's fault rows here.
 */
function archivedFor(cmd: Command, kept: Map<string, Fault>): ArchivedFaults {
  const refs = archivedRefs(cmd);
  const out = new Map<string, Fault>();
  for (const f of kept.values())
    if ("ids" in refs ? refs.ids.includes(f.id) : f.device === refs.device && f.condition === refs.condition)
      out.set(f.id, f);
  return out;
}

/**
 * Runs the steps through the reference and two incremental engines, comparing after every step: one
 * holds every archived fault, the other lets go of them after each step (as the collector does once
 * their archiving is committed) and is handed back the ones a command refers to.
 */
function compare(steps: Step[], policy: Policy) {
  let reference = emptyState();
  const live = new LiveEngine();
  // Archived event ids stay remembered here as in the reference: the steps reuse an id for another
  // key, which the collector's store refuses by its receipts (a concern apart from the faults).
  const released = new LiveEngine();
  const kept = new Map<string, Fault>();
  let refIds = 0;
  let liveIds = 0;
  let releasedIds = 0;
  let now = 0;
  for (const [i, s] of steps.entries()) {
    now = Math.max(now, s.advance ? s.at : s.command.at);
    const base = { now, policy, inventory };
    const where = `step ${i}: ${JSON.stringify(s)}`;
    if (s.advance) {
      const r = advanceTo(reference, { ...base, newId: () => `F${++refIds}` });
      const l = live.advanceTo({ ...base, newId: () => `F${++liveIds}` });
      const m = released.advanceTo({ ...base, newId: () => `F${++releasedIds}` });
      reference = r.state;
      expect(l.audit, where).toEqual(r.audit);
      expect(l.notices, where).toEqual(r.notices);
      expect(m.audit, where).toEqual(r.audit);
      expect(m.notices, where).toEqual(r.notices);
    } else {
      const r = apply(reference, s.command, { ...base, newId: () => `F${++refIds}` });
      const l = live.apply(s.command, { ...base, newId: () => `F${++liveIds}` });
      const m = released.apply(s.command, { ...base, newId: () => `F${++releasedIds}` }, archivedFor(s.command, kept));
      expect(l.ok, where).toBe(r.ok);
      expect(m.ok, where).toBe(r.ok);
      if (!r.ok || !l.ok || !m.ok) {
        expect(l.ok ? undefined : l.error, where).toEqual(r.ok ? undefined : r.error);
        expect(m.ok ? undefined : m.error, where).toEqual(r.ok ? undefined : r.error);
        continue;
      }
      reference = r.state;
      expect(l.audit, where).toEqual(r.audit);
      expect(l.notices, where).toEqual(r.notices);
      expect(m.audit, where).toEqual(r.audit);
      expect(m.notices, where).toEqual(r.notices);
    }
    for (const f of released.releaseArchived()) kept.set(f.id, f);
    expect(faultsOf(live.toState()), where).toEqual(faultsOf(reference));
    expect(faultsOf(released.toState(kept)), where).toEqual(faultsOf(reference));
    expect(live.nextDueAt(policy), where).toBe(nextDueAt(reference, policy));
    expect(live.nextArchiveAt(policy), where).toBe(nextArchiveAt(reference, policy));
    expect(released.nextDueAt(policy), where).toBe(nextDueAt(reference, policy));
    expect(released.nextArchiveAt(policy), where).toBe(nextArchiveAt(reference, policy));
  }
  const kpi = (faults: Iterable<Fault>) => kpiOut(kpiFor(Q1, [...faults], policy, now), "Asia/Shanghai");
  expect(kpi(live.faults())).toEqual(kpi(Object.values(reference.faults)));
  expect(kpi([...released.faults(), ...kept.values()])).toEqual(kpi(Object.values(reference.faults)));
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

describe("an engine that let go of its archived faults answers as one that holds them", () => {
  it("ack by id, comment by device and condition (an archived resolved fault outranks a live closed one), open under an archived id", () => {
    const policy = policies.archiving!;
    const MIN = 60_000;
    const t0 = Date.parse("2026-03-31T12:00:00Z");
    const unreachable = { device: "core", condition: "device.unreachable" };
    const cond = (eventId: string, at: number, state: "firing" | "clear"): Command => ({ type: "condition", eventId, at, ...unreachable, state });
    let reference = emptyState();
    const released = new LiveEngine(undefined, { rememberArchivedEventIds: false });
    const kept = new Map<string, Fault>();
    let refIds = 0;
    let ids = 0;
    const run = (cmd: Command | { advance: number }) => {
      const now = "advance" in cmd ? cmd.advance : cmd.at;
      const base = { now, policy, inventory };
      if ("advance" in cmd) {
        reference = advanceTo(reference, { ...base, newId: () => `F${++refIds}` }).state;
        released.advanceTo({ ...base, newId: () => `F${++ids}` });
      } else {
        const r = apply(reference, cmd, { ...base, newId: () => `F${++refIds}` });
        const m = released.apply(cmd, { ...base, newId: () => `F${++ids}` }, archivedFor(cmd, kept));
        expect(m.ok ? "ok" : m.error, JSON.stringify(cmd)).toEqual(r.ok ? "ok" : r.error);
        if (r.ok) reference = r.state;
        for (const f of released.releaseArchived()) kept.set(f.id, f);
        return r.ok ? "ok" : r.error.code;
      }
      for (const f of released.releaseArchived()) kept.set(f.id, f);
      return "ok";
    };
    run(cond("a", t0, "firing"));
    run(cond("b", t0 + MIN, "clear"));
    run({ advance: t0 + 3 * 60 * MIN });
    expect([...kept.keys()]).toEqual(["F1"]);
    expect(released.fault("F1")).toBeUndefined();
    run(cond("c", t0 + 3 * 60 * MIN, "firing"));
    run(cond("d", t0 + 3 * 60 * MIN + MIN, "clear"));
    expect(run({ type: "close", at: t0 + 3 * 60 * MIN + 2 * MIN, fault: "F2", by: "eng" })).toBe("ok");
    const at = t0 + 3 * 60 * MIN + 3 * MIN;
    expect([
      run({ type: "ack", at, fault: "F1", by: "eng" }),
      run({ type: "comment", at, fault: unreachable, by: "eng", text: "x" }),
      run({ type: "open", at, faultId: "F1", device: "ups-1", class: "general", title: "t", by: "fm" }),
      run({ type: "comment", at, fault: "F2", by: "eng", text: "x" }),
    ]).toEqual(["FAULT_ARCHIVED", "FAULT_ARCHIVED", "FAULT_EXISTS", "ok"]);
  });
});
