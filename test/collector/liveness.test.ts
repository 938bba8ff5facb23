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

describe("agent liveness follows the agent's heartbeat times, however late they arrive", () => {
  async function setup() {
    const h = await testCollector();
    const t0 = h.clock.now();
    let n = 0;
    const beats = (...ats: number[]) =>
      h.app.inject({
        method: "POST",
        url: "/api/v1/events",
        headers: { authorization: `Bearer ${AGENT_TOKEN}` },
        payload: {
          agent: "agent-1",
          events: ats.map((at) => ({ id: `agent-1-hb-${++n}-xxxx`, type: "heartbeat", at: new Date(t0 + at).toISOString(), interval: 2 })),
        },
      });
    const down = () => h.ctx.faults.faults().filter((f) => f.condition === "agent.down");
    const up = async () => ((await h.call("GET", "/api/v1/agents", h.tokens.engineer)).body.agents as Array<{ up: boolean }>)[0]!.up;
    const at = (ms: number) => {
      h.clock.set(t0 + ms);
      h.ctx.liveness.check();
    };
    return { h, t0, beats, down, up, at };
  }

  it("late heartbeats from before the fault opened resolve it at its opening instant, never earlier", async () => {
    const { h, t0, beats, down, up, at } = await setup();
    await beats(0);
    at(40_000); // nothing since 0: down at 6 s
    await beats(2_000); // …but the agent was alive at 2 s (and later): delayed, not missed
    at(40_001);
    const [f] = down();
    expect(f?.openedAt).toBe(t0 + 6_000);
    expect(f?.status).toBe("resolved");
    expect(f?.resolvedAt).toBe(t0 + 6_000);
    expect(await up()).toBe(true);
    await h.app.close();
  });

  it("a gap in a backlog nobody watched live is recorded afterwards, from three beats after the last heartbeat to the next", async () => {
    const { h, t0, beats, down, up } = await setup();
    await beats(0);
    h.clock.set(t0 + 60_000);
    await beats(2_000, 4_000, 30_000, 32_000);
    const [f] = down();
    expect(down()).toHaveLength(1);
    expect(f?.openedAt).toBe(t0 + 10_000);
    expect(f?.resolvedAt).toBe(t0 + 30_000);
    expect(await up()).toBe(true);
    await h.app.close();
  });

  it("nobody is called down in the first 30 s + one interval after the collector starts (their backlogs are on the way)", async () => {
    const { h, t0, beats, down, at } = await setup();
    await beats(0);
    at(31_999);
    expect(down()).toEqual([]);
    at(32_000);
    expect(down()[0]?.openedAt).toBe(t0 + 6_000);
    await h.app.close();
  });

  it("a backlog still arriving is not silence: no fault while old heartbeats come in", async () => {
    const { h, beats, down, at } = await setup();
    await beats(0);
    at(35_000);
    await beats(2_000, 4_000);
    at(36_000);
    expect(down().filter((f) => f.status !== "resolved")).toEqual([]);
    await beats(6_000, 8_000);
    at(37_000);
    expect(down().filter((f) => f.status !== "resolved")).toEqual([]);
    await h.app.close();
  });

  it("an agent that dies right after a late heartbeat is down again, after the withdrawn fault", async () => {
    const { h, t0, beats, down, up, at } = await setup();
    await beats(0);
    at(40_000);
    await beats(2_000);
    at(46_000); // nothing arrived for three beats since: down again, from 8 s (three beats after 2 s)
    const faults = down();
    // The withdrawn fault reopens (within the policy's reopen window): one fault, open again.
    expect(faults).toHaveLength(1);
    expect(faults[0]!.status).toBe("open");
    expect(faults[0]!.openedAt).toBe(t0 + 6_000);
    expect(await up()).toBe(false);
    await beats(45_000);
    expect(down()[0]!.status).toBe("resolved");
    expect(down()[0]!.resolvedAt).toBe(t0 + 45_000);
    expect(await up()).toBe(true);
    await h.app.close();
  });
});
