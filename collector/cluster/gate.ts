import type { FastifyInstance } from "fastify";
import type { ClusterNode } from "./node.ts";

/** What a standby still serves: probes (it is healthy, and says it is the standby) and its metrics. */
const STANDBY_SERVES = new Set(["GET /healthz", "HEAD /healthz", "GET /metrics", "GET /api/v1/cluster"]);

/**
 * A standby applies nothing and answers nothing from its engine (which is not kept up to date): every
 * other request gets 503 with the reason, the active node if known, and Retry-After (when this node may
 * take over). Agents then move to their next collector; a reverse proxy in front of both
 * (`proxy_next_upstream http_503`) sends people to the active.
 */
export function registerStandbyGate(app: FastifyInstance, node: ClusterNode): void {
  app.addHook("onRequest", async (req, reply) => {
    if (node.isActive() || STANDBY_SERVES.has(`${req.method} ${req.routeOptions.url ?? ""}`)) return;
    const info = node.standbyInfo();
    const active = info.active ? `${info.active.node}${info.active.address ? ` at ${info.active.address}` : ""}` : undefined;
    const message =
      info.reason === "taking-over"
        ? `this collector (${node.me.node}) is taking over as the active node and loading the state; try again shortly`
        : `this collector (${node.me.node}) is the standby${active ? `; the active collector is ${active}` : "; no active collector is known yet"}`;
    return reply
      .code(503)
      .header("retry-after", String(info.retryAfterSeconds))
      .send({ error: "standby", message, node: node.me.node, ...(info.active ? { active: info.active } : {}) });
  });
}
