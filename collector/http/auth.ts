import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Secret } from "../../common/config/secret.ts";
import { type CollectorStore, hashToken, type Role } from "../store/store.ts";
import { type BadTokenGate, tooManyBadTokens } from "./hardening.ts";

/** Who made a request: a person with a role, or an agent sending events. */
export type Principal = { kind: "user"; name: string; role: Role } | { kind: "agent"; id: string };

/**
 * What a route allows, declared per route in `config.allow`: roles (admin always passes), agents, or
 * nobody in particular — `public` says why no token is needed (a liveness probe, a signed link, the
 * UI's own session check). A route without a declaration cannot be registered.
 */
export type Allow = { roles: readonly Role[] } | { agents: true } | { public: string };

/** A registered route and its access rule, as the onRoute hook saw it (tests enumerate these). */
export interface RouteAccess {
  method: string;
  url: string;
  allow: Allow | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    allow?: Allow;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/**
 * The one authentication and authorisation hook. It hangs on the route the router matched (its
 * `config.allow`), never on the raw URL: the router decodes `%61pi` to `api`, a prefix test would not.
 * Every route must declare its access (registering one that does not throws); a request that matched
 * no route is the 404 handler's. Handlers never repeat the role check.
 */
export function registerAuth(
  app: FastifyInstance,
  deps: { store: CollectorStore; agents: { id: string; token: Secret }[]; badTokens?: BadTokenGate },
): RouteAccess[] {
  const { badTokens } = deps;
  // Tokens are compared by their SHA-256, so no comparison leaks a prefix through timing.
  const agentByHash = new Map(deps.agents.map((a) => [hashToken(a.token.reveal()), a.id]));
  const routes: RouteAccess[] = [];
  app.addHook("onRoute", (route) => {
    const allow = (route.config as { allow?: Allow } | undefined)?.allow;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, allow });
    if (!isAllow(allow))
      throw new Error(`route ${[route.method].flat().join(",")} ${route.url} declares no access rule (config.allow)`);
  });
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.is404) return;
    const allow = req.routeOptions.config.allow;
    // Unreachable while onRoute refuses undeclared routes; kept so a gap fails closed.
    if (!isAllow(allow)) return reply.code(403).send({ error: "forbidden", message: "route has no access rule" });
    if ("public" in allow) return;
    // The token first: a valid one is never refused by the lockout (an agent sharing an address with a
    // guesser keeps reporting). Each attempt costs the same — one SHA-256 and one indexed lookup —
    // whether or not the address is locked out, and a locked-out address learns nothing from a failure
    // but the 429.
    const token = bearer(req);
    if (token) {
      const agentId = agentByHash.get(hashToken(token));
      if (agentId) req.principal = { kind: "agent", id: agentId };
      else {
        const user = await deps.store.userByToken(token);
        if (user) req.principal = { kind: "user", ...user };
      }
    }
    if (!req.principal) {
      const wait = await badTokens?.blocked(req);
      if (wait !== undefined) return tooManyBadTokens(reply, wait);
      const over = await badTokens?.failed(req);
      if (over !== undefined) return tooManyBadTokens(reply, over);
      return reply.code(401).send({ error: "unauthorized", message: token ? "unknown token" : "missing bearer token" });
    }
    const p = req.principal;
    const ok = "agents" in allow ? p.kind === "agent" : p.kind === "user" && (p.role === "admin" || allow.roles.includes(p.role));
    if (!ok)
      return reply.code(403).send({
        error: "forbidden",
        message: p.kind === "agent" ? "agents may only send events" : `role ${p.role} may not do this`,
      });
  });
  return routes;
}

function isAllow(a: unknown): a is Allow {
  if (!a || typeof a !== "object") return false;
  const x = a as Record<string, unknown>;
  return (
    (Array.isArray(x.roles) && x.roles.length > 0) ||
    x.agents === true ||
    (typeof x.public === "string" && x.public.length > 0)
  );
}

/** Public routes say why no token is needed. */
export const PUBLIC = {
  probe: { public: "liveness probe and Prometheus scrape: no secrets, no state change" },
  ackLink: { public: "the signed, expiring acknowledge token in the path is the authentication" },
  uiLogin: { public: "web UI login and its static assets, before a session exists" },
  uiSession: { public: "web UI pages: the UI's own hook requires a session cookie" },
} as const satisfies Record<string, Allow>;

/** Everyone with a user token may read. */
export const READERS: Allow = { roles: ["engineer", "facility_manager", "client_auditor"] };

export function actorOf(req: FastifyRequest): string {
  const p = req.principal!;
  return p.kind === "user" ? p.name : `agent:${p.id}`;
}
