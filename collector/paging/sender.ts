/**
 * Delivery from the durable queue: one attempt per due row, retries with doubling backoff on the same
 * channel, then fallback to the person's next channel, then "failed" (visible in the API and metrics).
 * Each outcome is written with its audit entries in one transaction.
 */
import type { Logger } from "pino";
import type { Clock } from "../../common/clock.ts";
import type { CollectorStore } from "../store/store.ts";
import { ROBOT_LIMITS, RobotThrottle } from "./channels/robot-limits.ts";
import { type Recipient, type SendResult, sendOn } from "./channels/send.ts";
import type { ChannelConfig, Person } from "./config.ts";
import type { PagingMetrics } from "./metrics.ts";
import { type Delivery, PageQueue } from "./queue.ts";

const ACTOR = "paging";

export interface PageSenderDeps {
  queue: PageQueue;
  store: CollectorStore;
  clock: Clock;
  logger: Logger;
  metrics: PagingMetrics;
  channels: Map<string, ChannelConfig>;
  people: Map<string, Person>;
  /** False once nobody needs the page any more (its faults were acknowledged or resolved meanwhile). */
  stillWanted: (d: Delivery) => Promise<boolean>;
}

export class PageSender {
  private draining: Promise<void> | undefined;
  /** Keeps each robot within its documented rate (WeCom, DingTalk 20/min; Feishu 100/min and 5/s). */
  private throttle = new RobotThrottle();
  stopped = false;

  constructor(private deps: PageSenderDeps) {}

  /** Waits for sends in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  /** Sends every delivery due now; one drain at a time, deliveries within it in parallel. */
  drain(): Promise<void> {
    if (this.draining) return this.draining;
    const run = async () => {
      for (
        let due = await this.deps.queue.due(this.deps.clock.now());
        due.length > 0;
        due = this.stopped ? [] : await this.deps.queue.due(this.deps.clock.now())
      )
        await Promise.all(due.map((d) => this.deliver(d)));
    };
    // Cleared in a later microtask, so a drain that found nothing to do cannot leave itself behind.
    const draining = run().finally(() => {
      if (this.draining === draining) this.draining = undefined;
    });
    this.draining = draining;
    return draining;
  }

  private async deliver(d: Delivery): Promise<void> {
    if (!(await this.deps.stillWanted(d))) {
      const at = this.deps.clock.now();
      await this.deps.store.transaction(async (tx) => {
        await new PageQueue(tx.db).cancel(d.id, at);
        await tx.appendAudit(
          d.faultIds.map((faultId) => ({
            at,
            actor: ACTOR,
            action: "page.cancel",
            faultId,
            detail: { delivery: d.id, person: d.person, kind: d.kind },
          })),
        );
      });
      return;
    }
    const channelId = d.channels[d.channelIndex]!;
    const channel = this.deps.channels.get(channelId);
    const p = this.deps.people.get(d.person);
    const to: Recipient = p
      ? { id: p.id, name: p.name, mobile: p.mobile, email: p.email }
      : { id: d.person, name: d.person };
    if (channel && (channel.type === "wecom" || channel.type === "dingtalk" || channel.type === "feishu")) {
      const now = this.deps.clock.now();
      const wait = this.throttle.reserve(channelId, ROBOT_LIMITS[channel.type], now);
      if (wait > 0) {
        // Held back, not failed: no attempt is spent; the page goes when the robot's window allows.
        await this.deps.queue.update(
          d,
          { at: now, channel: channelId, ok: false, error: `held back ${Math.ceil(wait / 1000)} s: ${channel.type} robots take ${ROBOT_LIMITS[channel.type].perMinute} messages a minute` },
          { status: "pending", channelIndex: d.channelIndex, attempts: d.attempts, nextAttemptAt: now + wait },
        );
        return;
      }
    }
    // Claimed before the send: if this collector dies during it, the page is in doubt, not re-sent.
    if (!(await this.deps.queue.claim(d.id, this.deps.clock.now()))) return;
    const result: SendResult = channel
      ? await sendOn(channel, d.message, to, this.deps.clock.now()).catch((err: Error) => ({
          ok: false as const,
          retryable: true,
          error: err.message,
        }))
      : { ok: false as const, retryable: false, error: `channel ${channelId} is no longer configured` };
    await this.deps.store.transaction((tx) => this.record(tx, d, result, channelId, channel));
  }

  /** One attempt's outcome: the delivery row, its audit entries and metrics (in the caller's transaction). */
  private async record(
    tx: CollectorStore,
    d: Delivery,
    result: SendResult,
    channelId: string,
    channel: ChannelConfig | undefined,
  ): Promise<void> {
    const queue = new PageQueue(tx.db);
    const at = this.deps.clock.now();
    const audit = (action: string, detail: Record<string, unknown>) =>
      tx.appendAudit(
        d.faultIds.map((faultId) => ({
          at,
          actor: ACTOR,
          action,
          faultId,
          detail: { delivery: d.id, person: d.person, ...detail },
        })),
      );
    if (result.ok) {
      await queue.update(
        d,
        { at, channel: channelId, ok: true },
        { status: "sent", channelIndex: d.channelIndex, attempts: d.attempts + 1, nextAttemptAt: at },
      );
      this.deps.metrics.pagesSent.inc({ channel: channelId, result: "sent" });
      await audit("page.sent", { channel: channelId, kind: d.kind, attempts: d.attempts + 1 });
      return;
    }
    this.deps.metrics.deliveryFailures.inc({ channel: channelId });
    this.deps.logger.warn(
      { delivery: d.id, channel: channelId, person: d.person, error: result.error },
      "page delivery failed",
    );
    const attempts = d.attempts + 1;
    const attempt = { at, channel: channelId, ok: false, error: result.error };
    const limit = channel?.attempts ?? 1;
    if (result.retryable && attempts < limit) {
      const backoffMs = (channel?.backoff ?? 5) * 1000;
      // Doubling back-off, or longer when the channel asked for it (a robot's rate limit).
      const wait = Math.max(Math.min(backoffMs * 2 ** (attempts - 1), backoffMs * 10), result.retryAfterMs ?? 0);
      await queue.update(d, attempt, {
        status: "pending",
        channelIndex: d.channelIndex,
        attempts,
        nextAttemptAt: at + wait,
      });
    } else if (d.channelIndex + 1 < d.channels.length) {
      await queue.update(d, attempt, {
        status: "pending",
        channelIndex: d.channelIndex + 1,
        attempts: 0,
        nextAttemptAt: at,
      });
      await audit("page.fallback", {
        from: channelId,
        to: d.channels[d.channelIndex + 1],
        attempts,
        error: result.error,
      });
    } else {
      await queue.update(d, attempt, {
        status: "failed",
        channelIndex: d.channelIndex,
        attempts,
        nextAttemptAt: at,
      });
      this.deps.metrics.pagesSent.inc({ channel: channelId, result: "failed" });
      await audit("page.failed", { channel: channelId, attempts, error: result.error });
    }
  }
}
