import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Secret } from "../../common/config/secret.ts";
import { type CollectorStore, hashToken, type Role } from "../store/store.ts";

/** Who made a request: a person with a role, or an agent sending events. */
export type Principal = { kind: "user"; name: string; role: Role } | { kind: "agent"; id: string };

/** What a route allows: roles (admin always passes), or agents. Declared per route in `config.allow`. */
export type Allow = { roles: readonly Role[] } | { agents: true };

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
 * The one authentication and authorisation hook: every /api route needs a token, and the role check
 * happens here, server-side, from the route's declared `allow` — handlers never repeat it.
 */
export function registerAuth(app: FastifyInstance, deps: { store: CollectorStore; agents: { id: string; token: Secret }[] }): void {
  // Tokens are compared by their SHA-256, so no comparison leaks a prefix through timing.
  const agentByHash = new Map(deps.agents.map((a) => [hashToken(a.token.reveal()), a.id]));
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith("/api/")) return;
    const token = bearer(req);
    if (!token) return reply.code(401).send({ error: "unauthorized", message: "missing bearer token" });
    const agentId = agentByHash.get(hashToken(token));
    if (agentId) req.principal = { kind: "agent", id: agentId };
    else {
      const user = deps.store.userByToken(token);
      if (user) req.principal = { kind: "user", ...user };
    }
    if (!req.principal) return reply.code(401).send({ error: "unauthorized", message: "unknown token" });
    const allow = req.routeOptions.config.allow;
    if (!allow) return reply.code(403).send({ error: "forbidden", message: "route has no access rule" });
    const p = req.principal;
    const ok = "agents" in allow ? p.kind === "agent" : p.kind === "user" && (p.role === "admin" || allow.roles.includes(p.role));
    if (!ok)
      return reply.code(403).send({
        error: "forbidden",
        message: p.kind === "agent" ? "agents may only send events" : `role ${p.role} may not do this`,
      });
  });
}

/** Everyone with a user token may read. */
export const READERS: Allow = { roles: ["engineer", "facility_manager", "client_auditor"] };

export function actorOf(req: FastifyRequest): string {
  const p = req.principal!;
  return p.kind === "user" ? p.name : `agent:${p.id}`;
}
