/**
 * The one-tap acknowledge link: the token names the faults and the person paged, expires, and is
 * signed (HMAC-SHA256) with the notifications file's ack secret. The token is the link's authentication.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface AckClaim {
  faults: string[];
  person: string;
  /** Expiry, ms since the epoch. */
  expires: number;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

export function signAckToken(claim: AckClaim, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ f: claim.faults, p: claim.person, e: claim.expires }),
  ).toString("base64url");
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
  let body: { f?: unknown; p?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (
    !Array.isArray(body.f) ||
    !body.f.every((f) => typeof f === "string") ||
    typeof body.p !== "string" ||
    typeof body.e !== "number"
  )
    return { ok: false, reason: "malformed" };
  if (now >= body.e) return { ok: false, reason: "expired" };
  return { ok: true, claim: { faults: body.f as string[], person: body.p, expires: body.e } };
}
