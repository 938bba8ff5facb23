/**
 * The one-tap acknowledge link: the token names the page group (collector/paging/queue.ts, its faults
 * stored once) and the person paged, expires, and is signed (HMAC-SHA256) with the notifications file's
 * ack secret. The token is the link's authentication. A group id keeps the link short whatever the
 * group's size (a link naming 600 faults was 16.9 KB, past what servers take in a request line).
 *
 * Links signed before groups were stored name the faults themselves (`faults`); they are still honoured
 * until they expire.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type AckClaim = ({ group: string; faults?: undefined } | { faults: string[]; group?: undefined }) & {
  person: string;
  /** Expiry, ms since the epoch. */
  expires: number;
};

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

export function signAckToken(claim: AckClaim, secret: string): string {
  const body = claim.group !== undefined ? { g: claim.group } : { f: claim.faults };
  const payload = Buffer.from(JSON.stringify({ ...body, p: claim.person, e: claim.expires })).toString("base64url");
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

export type AckTokenCheck =
  | { ok: true; claim: AckClaim }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

export function verifyAckToken(token: string, secret: string, now: number): AckTokenCheck {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const given = Buffer.from(m[2]!, "base64url");
  const expected = mac(secret, m[1]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad_signature" };
  let body: { f?: unknown; g?: unknown; p?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof body.p !== "string" || typeof body.e !== "number") return { ok: false, reason: "malformed" };
  const names =
    typeof body.g === "string"
      ? { group: body.g }
      : Array.isArray(body.f) && body.f.every((f) => typeof f === "string")
        ? { faults: body.f as string[] }
        : undefined;
  if (!names) return { ok: false, reason: "malformed" };
  if (now >= body.e) return { ok: false, reason: "expired" };
  return { ok: true, claim: { ...names, person: body.p, expires: body.e } };
}
