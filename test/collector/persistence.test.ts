import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { tempDir } from "../harness/process.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

const T0 = Date.parse("2026-11-02T09:00:00+08:00");
const DEVICES = ["core-sw", "sw-1", "sw-2", "ups-1"];
const inventory = {
  devices: {
    "core-sw": { id: "core-sw", class: "network", criticality: "high" as const, dependsOn: [] },
    "sw-1": { id: "sw-1", class: "network", criticality: "medium" as const, dependsOn: ["core-sw"] },
    "sw-2": { id: "sw-2", class: "network", criticality: "medium" as const, dependsOn: ["core-sw"] },
    "ups-1": { id: "ups-1", class: "ups", criticality: "high" as const, dependsOn: [] },
  },
};

const eventArb = fc.record({
  // Weighted towards one key, so late events often split and join its episodes (merges).
  device: fc.oneof(
    { weight: 3, arbitrary: fc.constant("ups-1") },
    { weight: 2, arbitrary: fc.constantFrom(...DEVICES) },
  ),
  condition: fc.oneof(
    { weight: 3, arbitrary: fc.constant("ups.on_battery") },
    { weight: 1, arbitrary: fc.constant("device.unreachable") },
  ),
  firing: fc.boolean(),
  // Device-side times out of order within ±15 min, as a delayed outbox delivers them.
  offsetS: fc.integer({ min: -900, max: 900 }),
  stepS: fc.integer({ min: 1, max: 600 }),
});

/** Everything a person or the client can see: faults (sorted) and the quarter's KPI. */
async function snapshot(h: Awaited<ReturnType<typeof testCollector>>) {
  const faults = (await h.call("GET", "/api/v1/faults", h.tokens.admin)).body.faults as Array<{ id: string }>;
  const folded = (await h.call("GET", "/api/v1/faults?status=folded", h.tokens.admin)).body.faults as Array<{
    id: string;
  }>;
  const kpi = (await h.call("GET", "/api/v1/kpi?period=2026Q4", h.tokens.admin)).body.kpi;
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
  return { faults: [...faults].sort(byId), folded: [...folded].sort(byId), kpi };
}

describe("the collector's store: a restart gives back exactly the state it had", () => {
  it("property: after any sequence of (out-of-order, duplicated) events, reloading from SQLite changes nothing visible", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 40 }), async (events) => {
        const dbFile = join(tempDir("wf-persist-"), "collector.db");
        const clock = new ManualClock(T0);
        const a = await testCollector({ dbFile, clock, inventory });
        let n = 0;
        for (const e of events) {
          clock.advance(e.stepS * 1000);
          const batch = [
            {
              id: `agent-1-evt-${String(n++).padStart(6, "0")}`,
              type: "condition",
              device: e.device,
              condition: e.condition,
              state: e.firing ? "firing" : "clear",
              observedAt: new Date(clock.now() + e.offsetS * 1000).toISOString(),
            },
          ];
          await a.app.inject({
            method: "POST",
            url: "/api/v1/events",
            headers: { authorization: `Bearer ${AGENT_TOKEN}` },
            payload: { agent: "agent-1", events: batch },
          });
        }
        const before = await snapshot(a);
        await a.app.close();
        a.store.db.close();

        const b = await testCollector({ dbFile, clock, inventory });
        const after = await snapshot(b);
        expect(after).toEqual(before);
        await b.app.close();
        b.store.db.close();
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("a fault merged away by a late event stays gone after a restart", async () => {
    const dbFile = join(tempDir("wf-persist-"), "collector.db");
    const clock = new ManualClock(T0 + 60 * 60_000);
    const a = await testCollector({ dbFile, clock, inventory });
    const send = (id: string, state: string, minutes: number) =>
      a.app.inject({
        method: "POST",
        url: "/api/v1/events",
        headers: { authorization: `Bearer ${AGENT_TOKEN}` },
        payload: {
          agent: "agent-1",
          events: [
            {
              id,
              type: "condition",
              device: "ups-1",
              condition: "ups.on_battery",
              state,
              observedAt: new Date(T0 + minutes * 60_000).toISOString(),
            },
          ],
        },
      });
    await send("agent-1-m-000001", "firing", 0);
    await send("agent-1-m-000002", "clear", 5);
    await send("agent-1-m-000003", "firing", 30);
    expect((await snapshot(a)).faults).toHaveLength(2);
    // Late: on battery again at 8 min, within the reopen window of the 5 min clear, and still at 30.
    await send("agent-1-m-000004", "firing", 8);
    const before = await snapshot(a);
    expect(before.faults).toHaveLength(1);
    await a.app.close();
    a.store.db.close();

    const b = await testCollector({ dbFile, clock, inventory });
    expect(await snapshot(b)).toEqual(before);
    await b.app.close();
    b.store.db.close();
  });
});
