import fc from "fast-check";
import { inventory, policies, type Step, step } from "../../test/fixtures/engine-steps.ts";
import { describe, expect, it } from "vitest";
import { nextArchiveAt } from "./archive.ts";
import { canonicalJson } from "./audit-chain.ts";
import { advanceTo, apply, emptyState, nextDueAt } from "./engine.ts";
import { kpiFor, kpiOut } from "./kpi.ts";
import { LiveEngine } from "./live-engine.ts";
import { parsePeriod } from "./period.ts";
import type { Policy } from "./policy.ts";
import type { EngineState, Fault, Period } from "./types.ts";

const Q1 = parsePeriod("2026Q1", "Asia/Shanghai") as Period;

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
  const kpi = (faults: Iterable<Fault>) => kpiOut(kpiFor(Q1, [...faults], policy, now), "Asia/Shanghai");
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
