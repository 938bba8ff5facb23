import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The first cookie whose value is not valid percent-encoding, or undefined. */
export function malformedCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    try {
      decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return part.slice(0, eq).trim();
    }
  }
  return undefined;
}

/**
 * Request checks that do not depend on the route: a Cookie header that does not decode is the
 * client's fault (400, naming the cookie), checked once here rather than wherever a cookie is read.
 */
export function registerRequestGuards(app: FastifyInstance): void {
  app.addHook("onRequest", async (req, reply) => {
    const bad = malformedCookie(req.headers.cookie);
    if (bad !== undefined)
      return reply
        .code(400)
        .send({ error: "bad_request", message: `cookie ${JSON.stringify(bad.slice(0, 100))} is not valid percent-encoding` });
  });
}

/**
 * The policy for every response. The web UI (collector/http/ui) loads its scripts, styles and
 * images from /ui/assets and talks to its own origin (htmx, server-sent events); the acknowledge
 * pages are plain HTML with a form posting to themselves; the API and /metrics are JSON and text.
 * So: nothing from anywhere else, no inline script, no framing.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/**
 * Security headers on every response (@fastify/helmet): the CSP above, nosniff, frame denial, a
 * same-origin referrer (not no-referrer: with it Chromium sends "Origin: null" on the UI's form posts
 * and the UI's origin check refuses them; the acknowledge pages set no-referrer themselves, their
 * token is in the URL). No upgrade-insecure-requests: a collector on plain HTTP (loopback, a LAN
 * behind nothing) must still load its own assets.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    hsts: { maxAge: 180 * 86_400, includeSubDomains: false },
  });
}

export interface BadTokenLimit {
  /** Missing or unknown tokens allowed per client address within the window. */
  max: number;
  windowSeconds: number;
}

/** What the auth hook asks before and after checking a token. */
export interface BadTokenGate {
  /** Seconds until this address may try again, when it is over the limit. */
  blocked(req: FastifyRequest): Promise<number | undefined>;
  /** Counts a missing or unknown token; seconds to wait when that put the address over the limit. */
  failed(req: FastifyRequest): Promise<number | undefined>;
}

/**
 * Per client address (req.ip: the proxy's X-Forwarded-For only under collector.trustProxy), missing
 * or unknown tokens (and, on /ui, unknown session cookies and unauthenticated posts) are counted
 * (@fastify/rate-limit's store); over the limit, every failed attempt from that address is a 429 with
 * Retry-After until the window ends. A valid token or session is checked first and never refused nor
 * counted, so an agent behind the same address as a guesser keeps reporting (review L4).
 */
export async function registerBadTokenLimit(app: FastifyInstance, limit: BadTokenLimit): Promise<BadTokenGate> {
  // global: false — only what asks is limited (this gate, and routes with config.rateLimit such as the UI's login).
  if (!app.hasDecorator("createRateLimit")) await app.register(fastifyRateLimit, { global: false });
  const check = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowSeconds * 1000,
    keyGenerator: (req) => `bad-token:${req.ip}`,
  });
  return {
    blocked: async (req) => {
      const r = await check(req, { increment: false });
      return r.isAllowed || (r.remaining ?? 1) > 0 ? undefined : Math.max(1, r.ttlInSeconds ?? 1);
    },
    failed: async (req) => {
      const r = await check(req);
      return !r.isAllowed && r.isExceeded ? Math.max(1, r.ttlInSeconds ?? 1) : undefined;
    },
  };
}

export function tooManyBadTokens(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  return reply
    .code(429)
    .header("retry-after", String(retryAfterSeconds))
    .send({
      error: "too_many_requests",
      message: `too many requests with a missing or unknown token from this address; retry after ${retryAfterSeconds} s`,
    });
}
