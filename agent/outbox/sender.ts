import type { Logger } from "pino";
import type { Secret } from "../../common/config/secret.ts";
import type { EventBatchReply } from "../../common/wire.ts";
import type { Outbox } from "./outbox.ts";

export interface SenderOptions {
  agentId: string;
  url: string;
  token: Secret;
  logger: Logger;
  batchSize?: number;
  /** Backoff after a failed delivery, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onDelivered?: (count: number) => void;
  onFailure?: (reason: string) => void;
}

/**
 * Drains the outbox to the collector, oldest first. An event leaves the outbox only after the
 * collector answered 2xx for its batch; anything else keeps it for the next try.
 */
export class Sender {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private wake = false;
  private backoffMs: number;
  private unsubscribe: () => void;

  constructor(
    private outbox: Outbox,
    private opts: SenderOptions,
  ) {
    this.backoffMs = 0;
    this.unsubscribe = outbox.onAppend(() => this.kick());
  }

  start(): void {
    this.kick();
  }

  /** Sends now unless a send is in flight or we are backing off after a failure. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wake = true;
      return;
    }
    if (this.backoffMs > 0 && this.timer) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), 0);
  }

  private async drain(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      for (;;) {
        this.wake = false;
        const batch = this.outbox.peek(this.opts.batchSize ?? 200);
        if (batch.length === 0) break;
        const res = await fetch(new URL("/api/v1/events", this.opts.url), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${this.opts.token.reveal()}` },
          body: JSON.stringify({ agent: this.opts.agentId, events: batch }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) {
          const text = await res.text().catch(() => "");
          // A 4xx other than auth/rate means the collector will never take this batch as is; say so loudly.
          throw new Error(`collector answered ${res.status}: ${text.slice(0, 300)}`);
        }
        const reply = (await res.json()) as EventBatchReply;
        this.outbox.ack(batch.map((e) => e.id));
        this.opts.onDelivered?.(batch.length);
        this.opts.logger.debug({ sent: batch.length, ...reply }, "events delivered");
        this.backoffMs = 0;
      }
    } catch (err) {
      const min = this.opts.minBackoffMs ?? 500;
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, min), this.opts.maxBackoffMs ?? 30_000);
      const reason = (err as Error).cause ? `${(err as Error).message}: ${(err as Error).cause}` : (err as Error).message;
      this.opts.onFailure?.(reason);
      this.opts.logger.warn({ pending: this.outbox.size(), retryInMs: this.backoffMs, reason }, "event delivery failed");
      this.running = false;
      if (!this.stopped) this.timer = setTimeout(() => void this.retry(), this.backoffMs);
      return;
    }
    this.running = false;
    if (this.wake) this.kick();
  }

  private async retry(): Promise<void> {
    this.timer = undefined;
    await this.drain();
  }

  /** Waits until the outbox is empty or the time is up (used at shutdown and by --once). */
  async flush(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.outbox.size() > 0 && Date.now() < until) {
      this.kick();
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.outbox.size() === 0;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.timer);
  }
}
