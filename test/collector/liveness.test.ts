import { describe, expect, it } from "vitest";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

describe("agent liveness: no heartbeat for three intervals → the agent is down, which is a fault", () => {
  it("opens agent.down at the third missed beat and resolves it when heartbeats return", async () => {
    const h = await testCollector();
    const beat = (n: number) =>
      h.app.inject({
        method: "POST",
        url: "/api/v1/events",
        headers: { authorization: `Bearer ${AGENT_TOKEN}` },
        payload: { agent: "agent-1", events: [{ id: `agent-1-hb-${n}-xxxx`, type: "heartbeat", at: new Date(h.clock.now()).toISOString(), interval: 15 }] },
      });
    await beat(1);
    const lastBeat = h.clock.now();
    h.clock.advance(44_999);
    h.ctx.liveness.check();
    expect(h.ctx.faults.faults().filter((f) => f.condition === "agent.down")).toEqual([]);

    h.clock.advance(10_000);
    h.ctx.liveness.check();
    const [down] = h.ctx.faults.faults().filter((f) => f.condition === "agent.down");
    expect(down?.device).toBe("agent:agent-1");
    expect(down?.status).toBe("open");
    // Opened when the third beat was missed, not when the check happened to run.
    expect(down?.openedAt).toBe(lastBeat + 45_000);
    const agents = await h.call("GET", "/api/v1/agents", h.tokens.engineer);
    expect((agents.body.agents as Array<{ up: boolean }>)[0]!.up).toBe(false);

    h.ctx.liveness.check();
    expect(h.ctx.faults.faults().filter((f) => f.condition === "agent.down")).toHaveLength(1);

    h.clock.advance(5_000);
    await beat(2);
    expect(h.ctx.faults.fault(down!.id)?.status).toBe("resolved");
    await h.app.close();
  });
});
