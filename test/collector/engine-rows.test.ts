import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advanceTo,
  apply,
  canonicalJson,
  emptyState,
} from "../../collector/domain/index.ts";
import { openDatabase } from "../../collector/store/db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { faultsOf, restartEquivalent } from "../fixtures/engine-rows-check.ts";
import { inventory, policies, step } from "../fixtures/engine-steps.ts";

describe("the engine's rows: reopened from SQLite, the engine goes on exactly as if it never stopped", () => {
  for (const [name, policy] of Object.entries(policies))
    it(`property (${name} policy): folds, windows, exemptions, merges and archive survive a restart`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 50 }), async (steps) => {
          const store = new CollectorStore(StoreDb.sqlite(":memory:"));
          try {
            await restartEquivalent(store, steps, policy);
          } finally {
            await store.close();
          }
        }),
        { numRuns: 60 },
      );
    });
});

describe("a store written by an older collector (the whole engine in one engine_state row)", () => {
  it("is converted to rows on first load, with the same faults, and the old row is gone", async () => {
    const policy = policies.archiving!;
    let n = 0;
    let state = emptyState();
    let now = 0;
    const steps = fc.sample(fc.array(step, { minLength: 30, maxLength: 30 }), { numRuns: 1, seed: 6 })[0]!; // a seed whose run archives a fault and leaves others live
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
    for (const f of Object.values(faults))
      insert.run(f.id, f.device, f.condition, f.class, f.status, f.openedAt, JSON.stringify(f));
    const store = new CollectorStore(StoreDb.ofSqlite(db, ":memory:"));
    const expected = Object.values(faults)
      .map((f) => canonicalJson(f))
      .sort();
    expect(Object.keys(faults).length).toBeGreaterThan(0);
    expect(Object.keys(state.archive?.faults ?? {}).length).toBeGreaterThan(0);
    // The engine holds the faults not archived; the archived ones are rows marked so.
    expect(faultsOf(await store.loadEngine(), await store.faultRows.archived())).toEqual(expected);
    expect(db.prepare("SELECT COUNT(*) AS n FROM engine_state").get()).toEqual({ n: 0 });
    expect(faultsOf(await store.loadEngine(), await store.faultRows.archived())).toEqual(expected);
    expect([...(await store.loadEngine()).faults()].filter((f) => state.archive!.faults[f.id] !== undefined)).toEqual([]);
  });
});
