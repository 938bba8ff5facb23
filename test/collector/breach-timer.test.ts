import { describe, expect, it } from "vitest";
import { systemClock } from "../../common/clock.ts";
import { policySchema } from "../../collector/domain/index.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

describe("a deadline that passes breaches the fault at that instant (a timer, not a batch job)", () => {
  it("records the breach within moments of the due time with nobody asking, and exports it", async () => {
    // Deadlines shrunk to seconds so the real timer can be watched; the rule is the same as for 2 h.
    const policy = policySchema.parse({ deadlines: { severe: { resolve: 1.5 } }, classification: { rules: [{ match: { condition: "ups.*" }, class: "severe" }] } });
    const h = await testCollector({ clock: systemClock, policy });
    const observedAt = new Date().toISOString();
    const ingest = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: { agent: "agent-1", events: [{ id: "agent-1-e-00000001", type: "condition", device: "ups-1", condition: "ups.on_battery", state: "firing", observedAt }] },
    });
    expect(ingest.json()).toEqual({ accepted: 1, duplicates: 0 });
    const breachedBefore = (await h.store.audit()).filter((e) => e.action.includes("breach"));
    expect(breachedBefore).toEqual([]);

    await new Promise((r) => setTimeout(r, 1900));
    // No request in between: only the collector's own timer can have recorded it.
    const breach = (await h.store.audit()).find((e) => e.action.includes("breach"));
    expect(breach, JSON.stringify((await h.store.audit()).map((e) => e.action))).toBeDefined();
    // The breach is dated at the due instant itself (open time + 1.5 s), and the timer recorded it
    // within moments of that instant.
    const due = Date.parse(observedAt) + 1500;
    expect((breach!.detail as { due: number }).due).toBe(due);
    expect(breach!.at - due).toBeGreaterThanOrEqual(0);
    expect(breach!.at - due).toBeLessThan(250);
    const metrics = (await h.call("GET", "/metrics", undefined)).body.text as string;
    expect(metrics).toMatch(/watchfloor_fault_breaches_total\{class="severe",deadline="resolve"\} 1/);
    expect(metrics).toMatch(/watchfloor_fault_deadline_seconds_left\{[^}]*deadline="resolve"[^}]*\} -\d/);
    await h.app.close();
  });
});
