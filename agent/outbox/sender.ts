import type { Logger } from "pino";
import type { Secret } from "../../common/config/secret.ts";
import { AGENT_MAX_RETRY_MS, type AgentEvent, type EventBatchReply } from "../../common/wire.ts";
import type { Outbox } from "./outbox.ts";
import { postJson } from "./post.ts";

export interface SenderOptions {
  agentId: string;
  /**
   * The collectors, in order of preference (active/standby: every one of them). The sender stays with
   * the one that last took a batch; a refused connection, a timeout or any 5xx (a standby answers 503)
   * moves it to the next at once, and only when every one failed in a row does it back off.
   */
  urls: readonly string[];
  token: Secret;
  logger: Logger;
  batchSize?: number;
  /**
   * Most bytes of events in one batch (their JSON). The collector takes 4 MiB bodies; an event larger
   * than this on its own is set aside in the outbox's rejected table, since no batch can carry it.
   */
  maxBatchBytes?: number;
  /** Backoff after a failed delivery, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onDelivered?: (count: number) => void;
  onFailure?: (reason: string) => void;
  /** The sender moved from one collector to the next (from, to: URLs; why the first did not do). */
  onFailover?: (from: string, to: string, reason: string) => void;
  onRejected?: (eventId: string, reason: string) => void;
}

/** Default of SenderOptions.maxBatchBytes: a quarter of the collector's 4 MiB body limit. */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** The collector refused the batch as malformed: retrying it as is would block the outbox forever. */
class BatchRejected extends Error {}
/** The collector (or a proxy in front of it) refused the body as too large (413): send less at once. */
class BatchTooLarge extends Error {}
/** Not taken by this collector (unreachable, no answer, 5xx): another one may take it. */
class CollectorUnavailable extends Error {
  constructor(
    message: string,
    /** From a Retry-After header: a standby says when it expects to take over (or the active to be back). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Longest a collector's Retry-After may hold the sender back (a bad header must not stall delivery). */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS);
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
  private isolating = false;
  /** After a 413: batches stay under half the refused size from then on (the collector's limit is lower). */
  private learnedMaxBytes = Number.POSITIVE_INFINITY;
  private unsubscribe: () => void;
  /** Index into opts.urls of the collector batches go to. */
  private current = 0;
  /** Collectors that failed one after the other since a batch was last taken. */
  private failedInRound = 0;
  /** The shortest Retry-After a collector gave in this round of failures. */
  private roundHintMs: number | undefined;

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
        const batch = this.nextBatch();
        if (batch === "set-aside") continue;
        if (batch.length === 0) break;
        let reply: EventBatchReply;
        try {
          reply = await this.post(batch);
        } catch (err) {
          if (err instanceof BatchTooLarge && batch.length > 1) {
            this.learnedMaxBytes = Math.floor(batch.bytes / 2);
            this.opts.logger.warn(
              { events: batch.length, bytes: batch.bytes, nextMaxBytes: this.learnedMaxBytes },
              "collector refused the batch as too large (413); sending smaller batches",
            );
            continue;
          }
          if (!(err instanceof BatchRejected || err instanceof BatchTooLarge)) {
            if (this.moveOn(err as Error)) continue;
            throw err;
          }
          if (batch.length > 1) {
            this.isolating = true;
            continue;
          }
          this.setAside(
            batch[0]!.id,
            err.message,
            err instanceof BatchTooLarge ? "collector refused an event as too large" : undefined,
          );
          continue;
        }
        this.isolating = false;
        this.failedInRound = 0;
        this.roundHintMs = undefined;
        this.outbox.ack(batch.map((e) => e.id));
        this.opts.onDelivered?.(batch.length);
        this.opts.logger.debug({ sent: batch.length, collector: this.url, ...reply }, "events delivered");
        this.backoffMs = 0;
      }
    } catch (err) {
      const min = this.opts.minBackoffMs ?? 500;
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, min), this.opts.maxBackoffMs ?? AGENT_MAX_RETRY_MS);
      // A standby that said when it takes over (Retry-After) is asked again then, not a long backoff later.
      const hint = this.roundHintMs;
      this.roundHintMs = undefined;
      const wait = hint === undefined ? this.backoffMs : Math.min(this.backoffMs, Math.max(hint, min));
      const reason = (err as Error).cause
        ? `${(err as Error).message}: ${(err as Error).cause}`
        : (err as Error).message;
      this.opts.onFailure?.(reason);
      this.opts.logger.warn(
        { pending: this.outbox.size(), retryInMs: wait, reason, collectors: this.opts.urls.length },
        "event delivery failed",
      );
      this.running = false;
      if (!this.stopped) this.timer = setTimeout(() => void this.retry(), wait);
      return;
    }
    this.running = false;
    if (this.wake) this.kick();
  }

  /**
   * The oldest events that fit one batch: at most batchSize of them (one while isolating a refused
   * event) and at most maxBatchBytes (less after a 413), though always at least one. An oldest event
   * larger than maxBatchBytes is set aside instead ("set-aside"): no batch may carry it, and it must
   * not block the events behind it.
   */
  private nextBatch(): (AgentEvent[] & { bytes: number }) | "set-aside" {
    const count = this.isolating ? 1 : (this.opts.batchSize ?? 200);
    const configured = this.opts.maxBatchBytes ?? MAX_BATCH_BYTES;
    const maxBytes = Math.min(configured, this.learnedMaxBytes);
    const rows = this.outbox.peekSized(count);
    if (rows[0] && rows[0].bytes > configured) {
      this.setAside(
        rows[0].event.id,
        `event is ${rows[0].bytes} bytes, more than a batch may carry (${configured})`,
        "an event is too large for any batch",
      );
      return "set-aside";
    }
    const batch = Object.assign([] as AgentEvent[], { bytes: 0 });
    for (const row of rows) {
      if (batch.length > 0 && batch.bytes + row.bytes > maxBytes) break;
      batch.bytes += row.bytes;
      batch.push(row.event);
    }
    return batch;
  }

  private setAside(eventId: string, reason: string, why = "collector refused a malformed event"): void {
    this.outbox.reject(eventId, reason, Date.now());
    this.opts.onRejected?.(eventId, reason);
    this.opts.logger.error({ event: eventId, reason }, `${why}; set aside in the outbox's rejected table`);
  }

  /** The collector batches go to now. */
  get url(): string {
    return this.opts.urls[this.current]!;
  }

  /**
   * After a collector did not take a batch: moves to the next one. True when that one has not failed
   * yet in this round (send to it at once), false when every collector failed in a row (back off).
   */
  private moveOn(err: Error): boolean {
    const hint = err instanceof CollectorUnavailable ? err.retryAfterMs : undefined;
    if (hint !== undefined) this.roundHintMs = Math.min(this.roundHintMs ?? hint, hint);
    this.failedInRound += 1;
    if (this.opts.urls.length < 2) return false;
    const from = this.url;
    this.current = (this.current + 1) % this.opts.urls.length;
    const reason = err.cause ? `${err.message}: ${err.cause}` : err.message;
    this.opts.onFailover?.(from, this.url, reason);
    this.opts.logger.warn({ from, to: this.url, reason }, "collector did not take the batch; trying the next collector");
    if (this.failedInRound < this.opts.urls.length) return true;
    this.failedInRound = 0;
    return false;
  }

  private async post(batch: unknown[]): Promise<EventBatchReply> {
    const url = this.url;
    const res = await postJson(
      new URL("/api/v1/events", url),
      JSON.stringify({ agent: this.opts.agentId, events: batch }),
      { authorization: `Bearer ${this.opts.token.reveal()}` },
      10_000,
    ).catch((err: Error) => {
      throw new CollectorUnavailable(`${url}: ${err.message}`);
    });
    if (res.status >= 200 && res.status < 300) return JSON.parse(res.text) as EventBatchReply;
    if (res.status === 400) throw new BatchRejected(`collector answered 400: ${res.text.slice(0, 500)}`);
    if (res.status === 413) throw new BatchTooLarge(`collector answered 413: ${res.text.slice(0, 500)}`);
    throw new CollectorUnavailable(`${url} answered ${res.status}: ${res.text.slice(0, 300)}`, retryAfterMs(res.retryAfter));
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
