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
  onRejected?: (eventId: string, reason: string) => void;
}

/** The collector refused the batch as malformed: retrying it as is would block the outbox forever. */
class BatchRejected extends Error {}

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
  private isolating = false;
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
        // After a refused batch, events go one at a time until the malformed one is found.
        const batch = this.outbox.peek(this.isolating ? 1 : (this.opts.batchSize ?? 200));
        if (batch.length === 0) break;
        let reply: EventBatchReply;
        try {
          reply = await this.post(batch);
        } catch (err) {
          if (!(err instanceof BatchRejected)) throw err;
          if (batch.length > 1) {
            this.isolating = true;
            continue;
          }
          this.outbox.reject(batch[0]!.id, err.message, Date.now());
          this.opts.onRejected?.(batch[0]!.id, err.message);
          this.opts.logger.error(
            { event: batch[0]!.id, reason: err.message },
            "collector refused a malformed event; set aside in the outbox's rejected table",
          );
          continue;
        }
        this.isolating = false;
        this.outbox.ack(batch.map((e) => e.id));
        this.opts.onDelivered?.(batch.length);
        this.opts.logger.debug({ sent: batch.length, ...reply }, "events delivered");
        this.backoffMs = 0;
      }
    } catch (err) {
      const min = this.opts.minBackoffMs ?? 500;
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, min), this.opts.maxBackoffMs ?? 30_000);
      const reason = (err as Error).cause
        ? `${(err as Error).message}: ${(err as Error).cause}`
        : (err as Error).message;
      this.opts.onFailure?.(reason);
      this.opts.logger.warn(
        { pending: this.outbox.size(), retryInMs: this.backoffMs, reason },
        "event delivery failed",
      );
      this.running = false;
      if (!this.stopped) this.timer = setTimeout(() => void this.retry(), this.backoffMs);
      return;
    }
    this.running = false;
    if (this.wake) this.kick();
  }

  private async post(batch: unknown[]): Promise<EventBatchReply> {
    const res = await fetch(new URL("/api/v1/events", this.opts.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.opts.token.reveal()}` },
      body: JSON.stringify({ agent: this.opts.agentId, events: batch }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.ok) return (await res.json()) as EventBatchReply;
    const text = await res.text().catch(() => "");
    if (res.status === 400) throw new BatchRejected(`collector answered 400: ${text.slice(0, 500)}`);
    throw new Error(`collector answered ${res.status}: ${text.slice(0, 300)}`);
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
