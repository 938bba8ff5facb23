import type { Logger } from "pino";
import type { Secret } from "../../common/config/secret.ts";
import { AGENT_MAX_RETRY_MS, type AgentEvent, type EventBatchReply } from "../../common/wire.ts";
import { DEFAULT_SET_ASIDE, FailingEvents, type SetAsidePolicy } from "./failing-events.ts";
import type { Outbox } from "./outbox.ts";
import { BatchRejected, BatchTooLarge, CollectorUnavailable, postBatch } from "./post.ts";

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
  /**
   * An event that every collector answers 5xx to when sent alone, while the events behind it go
   * through, waits aside (the rest flows), is retried alone, and is set aside once it failed
   * `attempts` times over at least `afterMs` (agent.outbox.setAside; what is not given: DEFAULT_SET_ASIDE).
   */
  setAside?: Partial<SetAsidePolicy>;
  onDelivered?: (count: number) => void;
  onFailure?: (reason: string) => void;
  /** The sender moved from one collector to the next (from, to: URLs; why the first did not do). */
  onFailover?: (from: string, to: string, reason: string) => void;
  /** An event was moved to the outbox's rejected table (reason: the collector's answer; kind: why). */
  onRejected?: (eventId: string, reason: string, kind: SetAsideKind) => void;
  /** A collector answered 2xx with a body that is not its JSON reply; the batch counted as delivered. */
  onUnreadableReply?: (url: string) => void;
}

/**
 * Why an event was set aside: refused as malformed (400), too large for any batch (over maxBatchBytes,
 * or 413 alone), or every collector kept failing on it (5xx) while other events went through.
 */
export const SET_ASIDE_KINDS = ["malformed", "too_large", "collector_error"] as const;
export type SetAsideKind = (typeof SET_ASIDE_KINDS)[number];

/** Default of SenderOptions.maxBatchBytes: a quarter of the collector's 4 MiB body limit. */
export const MAX_BATCH_BYTES = 1024 * 1024;

type Batch = AgentEvent[] & { bytes: number };

/**
 * Drains the outbox to the collector, oldest first. An event leaves the outbox only after the
 * collector answered 2xx for its batch, or when it is set aside in the rejected table (SetAsideKind);
 * anything else keeps it for the next try.
 */
export class Sender {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private wake = false;
  private backoffMs: number;
  /**
   * Most events in the next batch: 1 while isolating a refused (400) event, half the last batch after
   * every collector failed it with 5xx; doubling with each batch taken, back to batchSize.
   */
  private cap = Number.POSITIVE_INFINITY;
  /** After a 413: batches stay under half the refused size from then on (the collector's limit is lower). */
  private learnedMaxBytes = Number.POSITIVE_INFINITY;
  private unsubscribe: () => void;
  /** Index into opts.urls of the collector batches go to. */
  private current = 0;
  /** Collectors that failed one after the other since a batch was last taken. */
  private failedInRound = 0;
  /** The shortest Retry-After a collector gave in this round of failures. */
  private roundHintMs: number | undefined;
  /** A collector answered 5xx in this round: it is there, and the batch may be what it fails on. */
  private roundAnswered5xx = false;
  private failing: FailingEvents;
  /** Cuts the batch in flight when the sender stops. */
  private abort = new AbortController();
  /**
   * Batches carry sentAt (the collector reads this agent's clock offset from it) until a collector
   * refuses the key with 400: one older than this agent, which takes batches without it.
   */
  private sendsSentAt = true;
  /** The drain under way, if any (stop() waits for it). */
  private draining: Promise<void> | undefined;

  constructor(
    private outbox: Outbox,
    private opts: SenderOptions,
  ) {
    this.backoffMs = 0;
    this.failing = new FailingEvents(
      {
        attempts: opts.setAside?.attempts ?? DEFAULT_SET_ASIDE.attempts,
        afterMs: opts.setAside?.afterMs ?? DEFAULT_SET_ASIDE.afterMs,
      }, (strikes) =>
      Math.min((opts.minBackoffMs ?? 500) * 2 ** (strikes - 1), opts.maxBackoffMs ?? AGENT_MAX_RETRY_MS),
    );
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

  private drain(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    try {
      while (!this.stopped) {
        this.wake = false;
        const batch = this.nextBatch();
        if (batch === "again") continue;
        if (batch.length === 0) {
          if (this.failing.awaitingProof) {
            // Nothing else to send that could show the collectors up: that failure alone proves nothing.
            this.failing.unproven(Date.now());
            throw new Error("no other event to tell a collector outage from a failure on one event");
          }
          break;
        }
        const reply = await this.send(batch);
        if (reply !== "again") this.delivered(batch, reply);
      }
    } catch (err) {
      this.running = false;
      if (!this.stopped) this.backOff(err as Error);
      return;
    }
    this.running = false;
    if (this.stopped) return;
    if (this.wake) this.kick();
    else this.retryFailingLater();
  }

  /**
   * Posts the batch to the collector, moving on to the next one if it does not take it. Returns the
   * collector's reply (undefined: a 2xx that does not read as one) or "again" (send the next batch at
   * once); throws when every collector failed and the sender is to back off.
   */
  private async send(batch: Batch): Promise<EventBatchReply | undefined | "again"> {
    try {
      return await this.post(batch);
    } catch (err) {
      if (this.stopped) throw err;
      if (err instanceof BatchTooLarge && batch.length > 1) {
        this.learnedMaxBytes = Math.floor(batch.bytes / 2);
        this.opts.logger.warn(
          { events: batch.length, bytes: batch.bytes, nextMaxBytes: this.learnedMaxBytes },
          "collector refused the batch as too large (413); sending smaller batches",
        );
        return "again";
      }
      if (err instanceof BatchRejected && this.sendsSentAt && /\bsentAt\b/.test(err.message)) {
        this.sendsSentAt = false;
        this.opts.logger.warn(
          { collector: this.url, reason: err.message },
          "collector is older than this agent (it refuses sentAt): sending batches without it, so it cannot correct this agent's clock offset; upgrade the collector",
        );
        return "again";
      }
      if (err instanceof BatchRejected || err instanceof BatchTooLarge) {
        if (batch.length > 1) this.cap = 1;
        else this.setAside(batch[0]!.id, err.message, err instanceof BatchTooLarge ? "too_large" : "malformed");
        return "again";
      }
      if (this.moveOn(err as Error)) return "again";
      return this.roundFailed(batch, err as Error);
    }
  }

  /**
   * Every collector failed this batch in a row. If none answered (refused, timed out): back off. If one
   * answered 5xx, it may be one event in the batch that it fails on: the batch is split (its first half
   * goes next, at once), and an event that failed alone waits aside while the next batch, sent at once,
   * shows whether the collectors take anything at all. A collector that is down, a standby or
   * overloaded fails that one too; the sender then backs off, having set nothing aside.
   */
  private roundFailed(batch: Batch, err: Error): "again" {
    const answered5xx = this.roundAnswered5xx;
    this.roundAnswered5xx = false;
    const now = Date.now();
    const proving = this.failing.awaitingProof;
    if (proving) this.failing.unproven(now);
    this.opts.onFailure?.(reasonOf(err));
    if (!answered5xx) throw err;
    if (batch.length > 1) {
      this.cap = Math.ceil(batch.length / 2);
      this.opts.logger.warn(
        { events: batch.length, nextEvents: this.cap, reason: reasonOf(err) },
        "every collector failed the batch; sending smaller batches in case one event is what they fail on",
      );
      return "again";
    }
    if (proving) throw err;
    this.failing.failedAlone(batch[0]!.id, reasonOf(err), now);
    return "again";
  }

  private delivered(batch: Batch, reply: EventBatchReply | undefined): void {
    this.failedInRound = 0;
    this.roundHintMs = undefined;
    this.roundAnswered5xx = false;
    this.cap = this.cap * 2 >= (this.opts.batchSize ?? 200) ? Number.POSITIVE_INFINITY : this.cap * 2;
    const ids = batch.map((e) => e.id);
    this.outbox.ack(ids);
    for (const id of ids) this.failing.forget(id);
    this.opts.onDelivered?.(batch.length);
    this.opts.logger.debug({ sent: batch.length, collector: this.url, ...reply }, "events delivered");
    this.backoffMs = 0;
    const verdict = this.failing.batchTaken(Date.now());
    if (verdict?.kind === "set-aside")
      this.setAside(
        verdict.id,
        `every collector failed on it, sent alone, ${verdict.strikes} times while other events went through; last: ${verdict.reason}`,
        "collector_error",
      );
    else if (verdict)
      this.opts.logger.warn(
        { event: verdict.id, failures: verdict.strikes, retryInMs: verdict.retryAt - Date.now() },
        "every collector failed on this event sent alone while other events went through; it waits aside, the events behind it go on",
      );
  }

  private backOff(err: Error): void {
    const min = this.opts.minBackoffMs ?? 500;
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, min), this.opts.maxBackoffMs ?? AGENT_MAX_RETRY_MS);
    // A standby that said when it takes over (Retry-After) is asked again then, not a long backoff later.
    const hint = this.roundHintMs;
    this.roundHintMs = undefined;
    const wait = hint === undefined ? this.backoffMs : Math.min(this.backoffMs, Math.max(hint, min));
    this.opts.logger.warn(
      { pending: this.outbox.size(), retryInMs: wait, reason: reasonOf(err), collectors: this.opts.urls.length },
      "event delivery failed",
    );
    this.timer = setTimeout(() => void this.drain(), wait);
  }

  /** Nothing left to send but events waiting aside: wake up when the first is due. */
  private retryFailingLater(): void {
    const at = this.failing.nextRetryAt();
    if (at !== undefined) this.timer = setTimeout(() => void this.drain(), Math.max(0, at - Date.now()));
  }

  /**
   * The next batch: an event waiting aside whose retry is due, alone; else the oldest other events that
   * fit one batch: at most batchSize of them (fewer after a 400 or 5xx: cap) and at most maxBatchBytes
   * (less after a 413), though always at least one. An oldest event larger than maxBatchBytes is set
   * aside instead ("again"): no batch may carry it, and it must not block the events behind it.
   */
  private nextBatch(): Batch | "again" {
    const due = this.failing.due(Date.now());
    if (due !== undefined) {
      const row = this.outbox.get(due);
      if (row) return Object.assign([row.event], { bytes: row.bytes });
      this.failing.forget(due);
      return "again";
    }
    const count = Math.min(this.cap, this.opts.batchSize ?? 200);
    const configured = this.opts.maxBatchBytes ?? MAX_BATCH_BYTES;
    const maxBytes = Math.min(configured, this.learnedMaxBytes);
    const rows = this.outbox.peekSized(count, this.failing.ids());
    if (rows[0] && rows[0].bytes > configured) {
      this.setAside(
        rows[0].event.id,
        `event is ${rows[0].bytes} bytes, more than a batch may carry (${configured})`,
        "too_large",
      );
      return "again";
    }
    const batch: Batch = Object.assign([] as AgentEvent[], { bytes: 0 });
    for (const row of rows) {
      if (batch.length > 0 && batch.bytes + row.bytes > maxBytes) break;
      batch.bytes += row.bytes;
      batch.push(row.event);
    }
    return batch;
  }

  private setAside(eventId: string, reason: string, kind: SetAsideKind): void {
    this.outbox.reject(eventId, reason, Date.now());
    this.failing.forget(eventId);
    this.opts.onRejected?.(eventId, reason, kind);
    this.opts.logger.error({ event: eventId, kind, reason }, `${SET_ASIDE_WHY[kind]}; set aside in the outbox's rejected table`);
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
    if (err instanceof CollectorUnavailable && mayBeTheBatch(err.status)) this.roundAnswered5xx = true;
    this.failedInRound += 1;
    if (this.opts.urls.length < 2) return false;
    const from = this.url;
    this.current = (this.current + 1) % this.opts.urls.length;
    const reason = reasonOf(err);
    this.opts.onFailover?.(from, this.url, reason);
    this.opts.logger.warn({ from, to: this.url, reason }, "collector did not take the batch; trying the next collector");
    if (this.failedInRound < this.opts.urls.length) return true;
    this.failedInRound = 0;
    return false;
  }

  private async post(batch: unknown[]): Promise<EventBatchReply | undefined> {
    const url = this.url;
    const answer = await postBatch(
      url,
      // sentAt is stamped at each attempt: the collector reads the agent's clock offset from it.
      JSON.stringify({ agent: this.opts.agentId, ...(this.sendsSentAt ? { sentAt: new Date().toISOString() } : {}), events: batch }),
      this.opts.token,
      this.abort.signal,
    );
    if (answer.reply) return answer.reply;
    // A 2xx means the collector committed the batch, whatever the body says (a proxy in between may have
    // replaced it): sending the batch again, perhaps to another collector, would only deliver it twice.
    this.opts.onUnreadableReply?.(url);
    this.opts.logger.warn(
      { collector: url, status: answer.status, body: answer.body.slice(0, 200) },
      "collector answered 2xx with a body that is not its reply to a batch; counting the batch as delivered",
    );
    return undefined;
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

  /**
   * Sends nothing more. A batch in flight is cut off and stays in the outbox (sent again after a
   * restart; the collector drops ids it has). Resolves once the sender is idle, so the outbox may be
   * closed then.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.timer);
    this.abort.abort();
    await this.draining;
  }
}

const SET_ASIDE_WHY: Record<SetAsideKind, string> = {
  malformed: "collector refused a malformed event",
  too_large: "an event is too large for any batch",
  collector_error: "every collector kept failing on an event that other events got past",
};

function reasonOf(err: Error): string {
  return err.cause ? `${err.message}: ${err.cause}` : err.message;
}

/**
 * A 5xx that may be about the batch itself (a collector failing on one event: 500). Not 502, 503, 504:
 * a proxy that cannot reach the collector, a standby or an overloaded collector, a gateway timeout say
 * "not now" whatever the batch holds; splitting the batch for them only makes more, smaller batches
 * through a failover.
 */
function mayBeTheBatch(status: number | undefined): boolean {
  return status !== undefined && status >= 500 && status !== 502 && status !== 503 && status !== 504;
}
