import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Secret } from "../../common/config/secret.ts";
import type { EventBatchReply } from "../../common/wire.ts";

/**
 * POSTs a JSON body and reads the reply, on node:http / node:https. The agent's one outbound call needs
 * no more, and fetch (undici) would add about 8 MB to the agent's resident memory.
 */
export function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  /** Aborts the request (the sender stopping): the promise rejects, whatever the collector did. */
  signal?: AbortSignal,
): Promise<{ status: number; text: string; retryAfter?: string }> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            retryAfter: res.headers["retry-after"],
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The collector refused the batch as malformed: retrying it as is would block the outbox forever. */
export class BatchRejected extends Error {}
/** The collector (or a proxy in front of it) refused the body as too large (413): send less at once. */
export class BatchTooLarge extends Error {}
/** Not taken by this collector (unreachable, no answer, 5xx): another one may take it. */
export class CollectorUnavailable extends Error {
  constructor(
    message: string,
    /** From a Retry-After header: a standby says when it expects to take over (or the active to be back). */
    readonly retryAfterMs?: number,
    /** The collector's answer, when it answered at all. */
    readonly status?: number,
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
 * POSTs one batch (its JSON) to a collector's /api/v1/events and reads the answer: a 2xx with the
 * collector's reply (`reply` undefined when the body does not read as one: the batch was committed all
 * the same); a 400, 413 or any other answer or failure is thrown as what it means for the batch.
 */
export async function postBatch(
  url: string,
  body: string,
  token: Secret,
  signal: AbortSignal,
): Promise<{ status: number; body: string; reply?: EventBatchReply }> {
  const res = await postJson(
    new URL("/api/v1/events", url),
    body,
    { authorization: `Bearer ${token.reveal()}` },
    10_000,
    signal,
  ).catch((err: Error) => {
    throw new CollectorUnavailable(`${url}: ${err.message}`);
  });
  if (res.status >= 200 && res.status < 300) return { status: res.status, body: res.text, reply: readReply(res.text) };
  if (res.status === 400) throw new BatchRejected(`collector answered 400: ${res.text.slice(0, 500)}`);
  if (res.status === 413) throw new BatchTooLarge(`collector answered 413: ${res.text.slice(0, 500)}`);
  throw new CollectorUnavailable(
    `${url} answered ${res.status}: ${res.text.slice(0, 300)}`,
    retryAfterMs(res.retryAfter),
    res.status,
  );
}

function readReply(text: string): EventBatchReply | undefined {
  try {
    const reply = JSON.parse(text) as Partial<EventBatchReply> | null;
    if (typeof reply?.accepted === "number" && typeof reply.duplicates === "number")
      return { accepted: reply.accepted, duplicates: reply.duplicates };
  } catch {
    // not JSON
  }
  return undefined;
}
