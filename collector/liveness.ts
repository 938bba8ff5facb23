import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import { AGENT_MAX_RETRY_MS } from "../common/wire.ts";
import type { EngineBatch, FaultService } from "./fault-service.ts";
import type { CollectorStore } from "./store/store.ts";

/** Heartbeats missed before an agent is called down. */
export const MISSED_HEARTBEATS = 3;
/** agent.heartbeat's default: the interval assumed for an agent that never said its own. */
export const DEFAULT_HEARTBEAT_SECONDS = 15;

/**
 * Agent liveness (docs/fault-engine.md, "Agent liveness"): `agent.down` means the agent stopped
 * producing heartbeats, judged by the agent-side times of its heartbeats, which the durable outbox
 * keeps however late they arrive. The agent was down from three intervals after a heartbeat until the
 * next one, whenever they came more than three intervals apart.
 *
 * - Live: an agent with no heartbeat for three intervals, none arriving either (a backlog being
 *   delivered is not silence), is down at the instant the third beat was missed. For the first
 *   max(3 intervals, AGENT_MAX_RETRY_MS + 1 interval) after the collector starts nobody is called down:
 *   the collector's own outage is no evidence about the agents, and their backlogs are on the way.
 * - Late: a heartbeat showing a gap nobody saw live (the collector was down too) records the fault
 *   afterwards, opened and resolved at the gap's edges.
 * - A heartbeat from before the instant a live agent.down opened shows the agent was alive then (its
 *   beats were delayed, not missed): the fault is resolved at its own opening instant, never before it.
 * - Never seen: an agent configured in collector.agents that has sent nothing at all since the collector
 *   started (no heartbeat, no event, and none on record from before) is down after the same grace as a
 *   seen agent after a start, taking the default heartbeat interval; its first heartbeat resolves it.
 *   An agent seen before a restart is judged by its record (above), never as "never seen".
 */
export class AgentLiveness {
  private timer: NodeJS.Timeout | undefined;
  private startedAt: number;
  /** Collector time each agent's last heartbeat arrived (in memory: a restart starts the grace anew). */
  private arrived = new Map<string, number>();
  /**
   * Each agent's latest agent.down clear: a later firing goes after it (a clear placed at a fault's own
   * opening instant can lie after heartbeats that arrive later, and the engine orders by time).
   */
  private cleared = new Map<string, number>();
  /** Agents that delivered anything (a heartbeat or an event) since the collector started. */
  private delivered = new Set<string>();

  constructor(
    private deps: {
      store: CollectorStore;
      faults: FaultService;
      clock: Clock;
      logger: Logger;
      checkEveryMs?: number;
      /** Agent ids that must heartbeat (collector.agents without `heartbeat: false`). */
      expected?: readonly string[];
      /** collector.ingest.clockSkewSeconds in ms: no heartbeat time lies further ahead of the collector's clock. */
      futureToleranceMs?: number;
    },
  ) {
    this.startedAt = deps.clock.now();
  }

  /** Any authenticated delivery from an agent: it is not "never seen" (its heartbeats are judged once they come). */
  seen(agent: string): void {
    this.delivered.add(agent);
  }

  /** A heartbeat, recorded (and its faults applied) in the ingest batch's transaction. */
  async heartbeat(batch: EngineBatch, agent: string, at: number, intervalSeconds: number): Promise<void> {
    this.arrived.set(agent, this.deps.clock.now());
    this.delivered.add(agent);
    const { wasDown, previous } = await batch.store.agentSeen(agent, at, intervalSeconds);
    const dispatch = (state: "firing" | "clear", at: number, lastSeen?: number) =>
      this.dispatch(batch, agent, state, at, lastSeen);
    if (!previous) {
      const never = this.neverSeenFault(agent);
      if (never) {
        this.deps.logger.info({ agent }, "agent configured but never seen has connected");
        dispatch("clear", Math.max(at, never.openedAt));
      }
      return;
    }
    const downAt = this.downAt(agent, previous.lastSeen, previous.intervalSeconds);
    if (wasDown) {
      const clearAt = Math.max(at, downAt);
      this.deps.logger.info(
        { agent, heartbeatAt: new Date(at).toISOString(), downAt: new Date(downAt).toISOString() },
        at >= downAt ? "agent is back" : "agent was alive all along (its heartbeats were late, not missing)",
      );
      dispatch("clear", clearAt);
      return;
    }
    if (at <= downAt || at <= previous.lastSeen) return;
    this.deps.logger.warn(
      { agent, lastSeen: new Date(previous.lastSeen).toISOString(), back: new Date(at).toISOString() },
      "agent's heartbeats show it was down while nobody was watching",
    );
    dispatch("firing", downAt, previous.lastSeen);
    dispatch("clear", at);
  }

  /** The open agent.down of an agent that has no heartbeat on record (opened by the never-seen rule). */
  private neverSeenFault(agent: string) {
    return this.deps.faults
      .liveFaults()
      .find((f) => f.device === `agent:${agent}` && f.condition === "agent.down" && (f.status === "open" || f.status === "acknowledged"));
  }

  /**
   * One pass of the live rules. The agents are read first; only when one is due is the pass made
   * again inside a transaction with the faults it opens (a heartbeat may have come in between).
   */
  async check(): Promise<void> {
    const now = this.deps.clock.now();
    if (this.due(await this.deps.store.agents(), now).length === 0) return;
    await this.deps.faults.transaction(async (batch) => {
      for (const d of this.due(await batch.store.agents(), now)) {
        if (d.kind === "never") {
          // Once flagged it stays flagged (across restarts, by its open fault) until it heartbeats.
          this.delivered.add(d.id);
          if (this.neverSeenFault(d.id)) continue;
          this.deps.logger.warn({ agent: d.id }, "agent is configured but has never been seen");
          this.dispatch(batch, d.id, "firing", d.downAt, undefined, {
            eventId: `agent-never-seen-${d.id}-${this.startedAt}`,
            title: `采集代理从未连接 / agent ${d.id} is configured but has never connected`,
          });
          continue;
        }
        await batch.store.markAgentDown(d.id);
        this.deps.logger.warn({ agent: d.id, lastSeen: new Date(d.lastSeen).toISOString() }, "agent is down");
        this.dispatch(batch, d.id, "firing", d.downAt, d.lastSeen);
      }
    });
  }

  /** The agents the rules call down at `now`: configured and never seen, or silent for three intervals. */
  private due(
    agents: Array<{ id: string; lastSeen: number; intervalSeconds: number; down: boolean }>,
    now: number,
  ): Array<{ kind: "never" | "down"; id: string; downAt: number; lastSeen: number }> {
    const out: Array<{ kind: "never" | "down"; id: string; downAt: number; lastSeen: number }> = [];
    const known = new Set(agents.map((a) => a.id));
    const interval = DEFAULT_HEARTBEAT_SECONDS * 1000;
    const neverSeenDownAt = this.startedAt + Math.max(MISSED_HEARTBEATS * interval, AGENT_MAX_RETRY_MS + interval);
    for (const id of this.deps.expected ?? []) {
      if (known.has(id) || this.delivered.has(id) || now < neverSeenDownAt) continue;
      out.push({ kind: "never", id, downAt: neverSeenDownAt, lastSeen: 0 });
    }
    for (const a of agents) {
      if (a.down) continue;
      const beats = MISSED_HEARTBEATS * a.intervalSeconds * 1000;
      const downAt = this.downAt(a.id, a.lastSeen, a.intervalSeconds);
      const arrived = this.arrived.get(a.id) ?? this.startedAt;
      const grace = this.startedAt + Math.max(beats, AGENT_MAX_RETRY_MS + a.intervalSeconds * 1000);
      if (now < downAt || now < arrived + beats || now < grace) continue;
      out.push({ kind: "down", id: a.id, downAt, lastSeen: a.lastSeen });
    }
    return out;
  }

  /** When an agent last seen at lastSeen is down: three intervals later, and after its latest clear. */
  private downAt(agent: string, lastSeen: number, intervalSeconds: number): number {
    const cleared = this.cleared.get(agent);
    return Math.max(lastSeen + MISSED_HEARTBEATS * intervalSeconds * 1000, cleared === undefined ? 0 : cleared + 1);
  }

  /** agent.down firing or clear, applied in the batch. */
  private dispatch(
    batch: EngineBatch,
    agent: string,
    state: "firing" | "clear",
    at: number,
    lastSeen?: number,
    firing?: { eventId: string; title: string },
  ): void {
    if (state === "clear") this.cleared.set(agent, Math.max(at, this.cleared.get(agent) ?? 0));
    batch.dispatch({
      type: "condition",
      // Both ways of finding a gap name its firing after the last heartbeat before it: one event.
      eventId: state === "firing" ? (firing?.eventId ?? `agent-down-${agent}-${lastSeen}`) : `agent-up-${agent}-${at}`,
      at,
      device: `agent:${agent}`,
      condition: "agent.down",
      state,
      ...(state === "firing" ? { title: firing?.title ?? `采集代理失联 / agent ${agent} stopped sending heartbeats` } : {}),
    });
  }

  /** Starts watching; the grace after a start counts from now (also when a standby takes over). */
  start(): void {
    this.startedAt = this.deps.clock.now();
    this.arrived.clear();
    this.delivered.clear();
    // Heartbeat times are bounded at ingest; one recorded before that may lie in the future.
    const now = this.deps.clock.now();
    void this.deps.store
      .pullBackLastSeen(now + (this.deps.futureToleranceMs ?? 60_000), now)
      .then((agents) => {
        if (agents.length > 0)
          this.deps.logger.warn({ agents, lastSeen: new Date(now).toISOString() }, "agents' last heartbeat was recorded in the future; taken as now");
      })
      .catch((err) => this.deps.logger.error({ err }, "could not check the agents' last heartbeats for times in the future"));
    this.timer = setInterval(
      () => void this.check().catch((err) => this.deps.logger.error({ err }, "agent liveness check failed; trying again")),
      this.deps.checkEveryMs ?? 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
