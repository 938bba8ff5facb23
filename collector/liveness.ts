import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import type { FaultService } from "./fault-service.ts";
import type { CollectorStore } from "./store/store.ts";

/** Heartbeats missed before an agent is called down. */
export const MISSED_HEARTBEATS = 3;

/**
 * Agent liveness: an agent silent for three heartbeat intervals is down, which is a fault of its own
 * (device `agent:<id>`, condition `agent.down`), opened at the instant the third beat was missed.
 */
export class AgentLiveness {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private deps: { store: CollectorStore; faults: FaultService; clock: Clock; logger: Logger; checkEveryMs?: number },
  ) {}

  heartbeat(agent: string, at: number, intervalSeconds: number): void {
    const { wasDown } = this.deps.store.agentSeen(agent, at, intervalSeconds);
    if (!wasDown) return;
    this.deps.logger.info({ agent }, "agent is back");
    this.deps.faults.dispatch({
      type: "condition",
      eventId: `agent-up-${agent}-${at}`,
      at,
      device: `agent:${agent}`,
      condition: "agent.down",
      state: "clear",
    });
  }

  check(): void {
    const now = this.deps.clock.now();
    for (const a of this.deps.store.agents()) {
      const deadline = a.lastSeen + MISSED_HEARTBEATS * a.intervalSeconds * 1000;
      if (a.down || now < deadline) continue;
      this.deps.store.markAgentDown(a.id);
      this.deps.logger.warn({ agent: a.id, lastSeen: new Date(a.lastSeen).toISOString() }, "agent is down");
      this.deps.faults.dispatch({
        type: "condition",
        eventId: `agent-down-${a.id}-${a.lastSeen}`,
        at: deadline,
        device: `agent:${a.id}`,
        condition: "agent.down",
        state: "firing",
        title: `采集代理失联 / agent ${a.id} stopped sending heartbeats`,
      });
    }
  }

  start(): void {
    this.timer = setInterval(() => this.check(), this.deps.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
