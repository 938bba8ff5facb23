import { afterEach, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { until } from "../harness/process.ts";

/**
 * Issue 12 #4, with real processes and kill -9. agent.down means the agent stopped producing
 * heartbeats (judged by the agent-side times its durable outbox preserves), not that the collector
 * heard nothing: a collector outage is not an agent outage (docs/fault-engine.md, "Agent liveness").
 * Before the fix, a collector killed for 8 s came back, opened agent.down, the backlog of old
 * heartbeats cleared it at an earlier time than it opened, and the fault stayed open for good.
 */
type Fault = { condition: string; status: string; opened_at: string; resolved_at: string | null };
type Agents = { agents: Array<{ id: string; up: boolean }> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let floor: Floor | undefined;
afterEach(async () => {
  await floor?.stop();
  floor = undefined;
});

async function startFloor(): Promise<Floor> {
  floor = new Floor({ devices: "  []", heartbeat: "2s" });
  await floor.startCollector();
  await floor.startAgent();
  await until("agent up at the collector", async () => (await agents(floor!))[0]?.up, 15_000);
  return floor;
}
const agents = async (f: Floor) => (await f.api<Agents>("/api/v1/agents")).body.agents;
const agentDown = async (f: Floor) =>
  (await f.api<{ faults: Fault[] }>("/api/v1/faults")).body.faults.filter(
    (x) => x.condition === "agent.down",
  );
const pending = async (f: Floor) =>
  Number(/^watchfloor_outbox_pending_events (\d+)/m.exec(await fetch(`${f.agentUrl}/metrics`).then((r) => r.text()))?.[1]);

describe("agent.down agrees with the agent's heartbeats", () => {
  it("collector kill -9 for 8 s (agent alive throughout): no agent.down, agent up", async () => {
    const f = await startFloor();
    await f.collector!.stop("SIGKILL");
    await sleep(8000);
    await f.startCollector();
    await until("the backlog drained", async () => (await pending(f)) === 0 || undefined, 45_000, 250);
    // Three more beats: any false fault the restart made would be open by now and stay so.
    await sleep(7000);
    expect(await agentDown(f)).toEqual([]);
    expect((await agents(f))[0]!.up).toBe(true);
  }, 180_000);

  it("both down, the agent longer than three beats: a fault for exactly the agent's silence, resolved", async () => {
    const f = await startFloor();
    await f.collector!.stop("SIGKILL");
    await sleep(1000);
    await f.agent!.stop("SIGKILL");
    const agentDied = Date.now();
    await sleep(10_000);
    await f.startAgent();
    const agentBack = Date.now();
    await sleep(2000);
    await f.startCollector();
    await until("the backlog drained", async () => (await pending(f)) === 0 || undefined, 45_000, 250);
    await sleep(2000);
    const faults = await agentDown(f);
    expect(faults).toHaveLength(1);
    const [down] = faults;
    expect(down!.status).toBe("resolved");
    const opened = Date.parse(down!.opened_at);
    const resolved = Date.parse(down!.resolved_at!);
    expect(resolved).toBeGreaterThan(opened);
    // Opened three beats after the agent's last heartbeat before it died, resolved at its first one
    // after it came back (2 s beats, so within a beat of those instants).
    expect(opened).toBeGreaterThan(agentDied - 2000 + 6000 - 500);
    expect(opened).toBeLessThan(agentDied + 6000 + 500);
    expect(Math.abs(resolved - agentBack)).toBeLessThan(3000);
    expect((await agents(f))[0]!.up).toBe(true);
  }, 180_000);

  it("agent kill -9 while the collector runs: agent.down opens, and resolves when it is back", async () => {
    const f = await startFloor();
    await f.agent!.stop("SIGKILL");
    const died = Date.now();
    const [open] = await until(
      "agent.down open",
      async () => {
        const d = await agentDown(f);
        return d.length ? d : undefined;
      },
      60_000,
      250,
    );
    expect(open!.status).not.toBe("resolved");
    expect(Math.abs(Date.parse(open!.opened_at) - (died + 6000))).toBeLessThan(2500);
    expect((await agents(f))[0]!.up).toBe(false);
    await f.startAgent();
    const [done] = await until("agent.down resolved", async () => {
      const d = await agentDown(f);
      return d[0]?.status === "resolved" ? d : undefined;
    });
    expect(Date.parse(done!.resolved_at!)).toBeGreaterThan(Date.parse(done!.opened_at));
    expect((await agents(f))[0]!.up).toBe(true);
  }, 180_000);
});
