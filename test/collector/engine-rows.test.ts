import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advanceTo,
  apply,
  canonicalJson,
  type EngineContext,
  emptyState,
  LiveEngine,
  type Policy,
} from "../../collector/domain/index.ts";
import { openDatabase } from "../../collector/store/db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { inventory, policies, type Step, step } from "../fixtures/engine-steps.ts";

const faultsOf = (e: LiveEngine) => [...e.faults()].map((f) => canonicalJson(f)).sort();

/**
 * Runs steps through an engine whose every change goes to SQLite rows, reopens the engine from the
 * rows half-way and at the end, and requires the reopened engine to hold the same faults and to
 * answer the remaining steps exactly as the engine that never stopped.
 */
function restartEquivalent(steps: Step[], policy: Policy) {
  const store = new CollectorStore(openDatabase(":memory:"));
  const kept = new LiveEngine(undefined, { rememberArchivedEventIds: false });
  let reopened = store.loadEngine();
  let keptIds = 0;
  let reopenedIds = 0;
  let now = 0;
  const half = Math.floor(steps.length / 2);
  for (const [i, s] of steps.entries()) {
    now = Math.max(now, s.advance ? s.at : s.command.at);
    const ctx = (next: () => string): EngineContext => ({ now, policy, inventory, newId: next });
    const where = `step ${i}: ${JSON.stringify(s)}`;
    const a = s.advance ? { ok: true as const, ...kept.advanceTo(ctx(() => `F${++keptIds}`)) } : kept.apply(s.command, ctx(() => `F${++keptIds}`));
    const b = s.advance
      ? { ok: true as const, ...reopened.advanceTo(ctx(() => `F${++reopenedIds}`)) }
      : reopened.apply(s.command, ctx(() => `F${++reopenedIds}`));
    expect(b.ok, where).toBe(a.ok);
    if (a.ok && b.ok) {
      expect(b.audit, where).toEqual(a.audit);
      store.saveEngine(b.changes, b.audit, reopened);
    }
    if (i === half || i === steps.length - 1) {
      reopened = store.loadEngine();
      expect(faultsOf(reopened), where).toEqual(faultsOf(kept));
      expect(reopened.nextArchiveAt(policy), where).toBe(kept.nextArchiveAt(policy));
    }
  }
  store.db.close();
}

describe("the engine's rows: reopened from SQLite, the engine goes on exactly as if it never stopped", () => {
  for (const [name, policy] of Object.entries(policies))
    it(`property (${name} policy): folds, windows, exemptions, merges and archive survive a restart`, () => {
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 50 }), (steps) => restartEquivalent(steps, policy)),
        { numRuns: 60 },
      );
    });
});

describe("a store written by an older collector (the whole engine in one engine_state row)", () => {
  it("is converted to rows on first load, with the same faults, and the old row is gone", () => {
    const policy = policies.archiving!;
    let n = 0;
    let state = emptyState();
    let now = 0;
    const steps = fc.sample(fc.array(step, { minLength: 30, maxLength: 30 }), { numRuns: 1, seed: 7 })[0]!;
    for (const s of steps) {
      now = Math.max(now, s.advance ? s.at : s.command.at);
      const ctx = { now, policy, inventory, newId: () => `F${++n}` };
      if (s.advance) state = advanceTo(state, ctx).state;
      else {
        const r = apply(state, s.command, ctx);
        if (r.ok) state = r.state;
      }
    }
    const db = openDatabase(":memory:");
    const { faults, ...rest } = state;
    db.prepare("INSERT INTO engine_state (id, body, updated_at) VALUES (1, ?, 0)").run(JSON.stringify(rest));
    const insert = db.prepare(
      "INSERT INTO faults (id, device, condition, class, status, opened_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const f of Object.values(faults)) insert.run(f.id, f.device, f.condition, f.class, f.status, f.openedAt, JSON.stringify(f));
    const store = new CollectorStore(db);
    const expected = Object.values(faults).map((f) => canonicalJson(f)).sort();
    expect(Object.keys(faults).length).toBeGreaterThan(0);
    expect(faultsOf(store.loadEngine())).toEqual(expected);
    expect(db.prepare("SELECT COUNT(*) AS n FROM engine_state").get()).toEqual({ n: 0 });
    expect(faultsOf(store.loadEngine())).toEqual(expected);
  });
});
