import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { tempDir } from "../harness/process.ts";
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
    await h.ctx.liveness.check();
    expect(h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down")).toEqual([]);

    h.clock.advance(10_000);
    await h.ctx.liveness.check();
    const [down] = h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down");
    expect(down?.device).toBe("agent:agent-1");
    expect(down?.status).toBe("open");
    // Opened when the third beat was missed, not when the check happened to run.
    expect(down?.openedAt).toBe(lastBeat + 45_000);
    const agents = await h.call("GET", "/api/v1/agents", h.tokens.engineer);
    expect((agents.body.agents as Array<{ up: boolean }>)[0]!.up).toBe(false);

    await h.ctx.liveness.check();
    expect(h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down")).toHaveLength(1);

    h.clock.advance(5_000);
    await beat(2);
    expect(h.ctx.faults.liveFault(down!.id)?.status).toBe("resolved");
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
    const down = () => h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down");
    const up = async () => ((await h.call("GET", "/api/v1/agents", h.tokens.engineer)).body.agents as Array<{ up: boolean }>)[0]!.up;
    const at = async (ms: number) => {
      h.clock.set(t0 + ms);
      await h.ctx.liveness.check();
    };
    return { h, t0, beats, down, up, at };
  }

  it("late heartbeats from before the fault opened resolve it at its opening instant, never earlier", async () => {
    const { h, t0, beats, down, up, at } = await setup();
    await beats(0);
    await at(40_000); // nothing since 0: down at 6 s
    await beats(2_000); // …but the agent was alive at 2 s (and later): delayed, not missed
    await at(40_001);
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
    await at(31_999);
    expect(down()).toEqual([]);
    await at(32_000);
    expect(down()[0]?.openedAt).toBe(t0 + 6_000);
    await h.app.close();
  });

  it("a backlog still arriving is not silence: no fault while old heartbeats come in", async () => {
    const { h, beats, down, at } = await setup();
    await beats(0);
    await at(35_000);
    await beats(2_000, 4_000);
    await at(36_000);
    expect(down().filter((f) => f.status !== "resolved")).toEqual([]);
    await beats(6_000, 8_000);
    await at(37_000);
    expect(down().filter((f) => f.status !== "resolved")).toEqual([]);
    await h.app.close();
  });

  it("an agent that dies right after a late heartbeat is down again, after the withdrawn fault", async () => {
    const { h, t0, beats, down, up, at } = await setup();
    await beats(0);
    await at(40_000);
    await beats(2_000);
    await at(46_000); // nothing arrived for three beats since: down again, from 8 s (three beats after 2 s)
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

describe("an agent configured but never seen is down after the same grace as one that stops", () => {
  const AGENTS = [
    { id: "agent-1", token: AGENT_TOKEN },
    { id: "agent-2", token: "agent-2-token-for-tests" },
    // Alertmanager posts alerts with an agent token but never heartbeats: not watched.
    { id: "alertmanager", token: "alertmanager-token-for-tests", heartbeat: false },
  ];
  const down = (h: Awaited<ReturnType<typeof testCollector>>) =>
    h.ctx.faults.liveFaults().filter((f) => f.condition === "agent.down");
  const heartbeat = (h: Awaited<ReturnType<typeof testCollector>>, agent: string, token: string, n: number) =>
    h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${token}` },
      payload: { agent, events: [{ id: `${agent}-hb-${n}-xxxx`, type: "heartbeat", at: new Date(h.clock.now()).toISOString(), interval: 15 }] },
    });

  it("opens agent.down 45 s after the collector starts (3 × the default 15 s, like a silent agent), resolves on its first heartbeat", async () => {
    const h = await testCollector({ agents: AGENTS });
    const start = h.clock.now();
    await heartbeat(h, "agent-1", AGENT_TOKEN, 1);
    h.clock.advance(44_999);
    await h.ctx.liveness.check();
    expect(down(h)).toEqual([]);
    h.clock.advance(1);
    await heartbeat(h, "agent-1", AGENT_TOKEN, 2); // agent-1 keeps beating: only agent-2 is down
    await h.ctx.liveness.check();
    expect(down(h).map((f) => [f.device, f.status, f.openedAt - start])).toEqual([["agent:agent-2", "open", 45_000]]);
    h.clock.advance(60_000);
    await h.ctx.liveness.check();
    expect(down(h).filter((f) => f.device === "agent:agent-2")).toHaveLength(1); // not raised twice
    await heartbeat(h, "agent-2", "agent-2-token-for-tests", 1);
    expect(
      down(h)
        .filter((f) => f.device === "agent:agent-2")
        .map((f) => [f.status, (f.resolvedAt ?? 0) - start]),
    ).toEqual([["resolved", 105_000]]);
    await h.app.close();
  });

  it("after a collector restart, an agent seen before is not flagged while it reconnects within its grace", async () => {
    // agent-2 beats every 60 s: its grace after a restart (3 intervals) is longer than the 45 s after
    // which an agent never seen is called down. Seen before the restart, it must be judged by its own.
    const beat60 = (h: Awaited<ReturnType<typeof testCollector>>, n: number) =>
      h.app.inject({
        method: "POST",
        url: "/api/v1/events",
        headers: { authorization: "Bearer agent-2-token-for-tests" },
        payload: { agent: "agent-2", events: [{ id: `agent-2-hb60-${n}-xxxx`, type: "heartbeat", at: new Date(h.clock.now()).toISOString(), interval: 60 }] },
      });
    const file = join(tempDir("wf-liveness-"), "collector.db");
    const first = await testCollector({ agents: AGENTS.filter((a) => a.id !== "agent-1"), dbFile: file });
    await beat60(first, 1);
    const lastBeat = first.clock.now();
    await first.app.close();
    first.store.db.close();

    const restart = lastBeat + 10_000;
    const second = await testCollector({
      agents: AGENTS.filter((a) => a.id !== "agent-1"),
      dbFile: file,
      clock: new ManualClock(restart),
    });
    for (const after of [45_000, 100_000]) {
      second.clock.set(restart + after);
      await second.ctx.liveness.check();
      expect(down(second)).toEqual([]);
    }
    await beat60(second, 2); // reconnects 110 s after its last beat: within 3 × 60 s
    second.clock.set(restart + 150_000);
    await second.ctx.liveness.check();
    expect(down(second)).toEqual([]);
    await second.app.close();
  });

  it("a never-seen agent flagged before a restart stays one fault across it, and clears when it connects", async () => {
    const file = join(tempDir("wf-liveness-"), "collector.db");
    const first = await testCollector({ agents: AGENTS, dbFile: file });
    first.clock.advance(45_000);
    await first.ctx.liveness.check();
    expect(down(first).map((f) => f.device).sort()).toEqual(["agent:agent-1", "agent:agent-2"]);
    await first.app.close();
    first.store.db.close();

    const second = await testCollector({ agents: AGENTS, dbFile: file, clock: new ManualClock(first.clock.now() + 60_000) });
    second.clock.advance(45_000);
    await second.ctx.liveness.check();
    expect(down(second)).toHaveLength(2);
    await heartbeat(second, "agent-2", "agent-2-token-for-tests", 1);
    expect(down(second).find((f) => f.device === "agent:agent-2")?.status).toBe("resolved");
    expect(down(second).find((f) => f.device === "agent:agent-1")?.status).toBe("open");
    await second.app.close();
  });
});
