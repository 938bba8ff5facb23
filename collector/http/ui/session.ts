/**
 * Web UI sessions: the browser holds a random session id (HttpOnly, SameSite=Strict cookie); the API
 * token it maps to stays in this process's memory, so page scripts and logs never see it. Each session
 * has its own CSRF token for the hidden field of every form. A collector restart logs everyone out.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

export const SESSION_COOKIE = "wf_session";
const SESSION_TTL_MS = 12 * 3600_000;

export interface UiSession {
  id: string;
  token: string;
  csrf: string;
  expiresAt: number;
}

export class UiSessions {
  private sessions = new Map<string, UiSession>();

  create(token: string, now: number): UiSession {
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    const session = {
      id: randomBytes(32).toString("base64url"),
      token,
      csrf: randomBytes(24).toString("base64url"),
      expiresAt: now + SESSION_TTL_MS,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined, now: number): UiSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  opts: { maxAgeSeconds?: number; httpOnly: boolean; secure: boolean },
): void {
  const attrs = [`${name}=${encodeURIComponent(value)}`, "Path=/ui", "SameSite=Strict"];
  if (opts.httpOnly) attrs.push("HttpOnly");
  if (opts.secure) attrs.push("Secure");
  if (opts.maxAgeSeconds !== undefined) attrs.push(`Max-Age=${opts.maxAgeSeconds}`);
  // fastify appends repeated set-cookie headers instead of replacing them.
  reply.header("set-cookie", attrs.join("; "));
}

/** Equal strings, compared in constant time. */
export function sameSecret(a: unknown, b: string): boolean {
  if (typeof a !== "string") return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A cross-site form post carries the other site's Origin; browsers send Origin on every POST, so a
 * mismatch is refused (absent Origin — non-browser clients — still needs the session's CSRF token).
 */
export function originAllowed(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    // Through URL on both sides, so "localhost:80" and "http://localhost" compare equal.
    const o = new URL(origin);
    return o.host === new URL(`${o.protocol}//${req.headers.host ?? ""}`).host;
  } catch {
    return false;
  }
}
