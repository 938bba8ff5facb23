import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Clock } from "../common/clock.ts";
import type { CollectorConfig } from "../common/config/schema.ts";
import type { CollectorContext } from "./context.ts";
import type { Inventory, Policy } from "./domain/index.ts";
import type { Template } from "./domain/inspections/index.ts";
import { FaultService } from "./fault-service.ts";
import { type RouteAccess, registerAuth } from "./http/auth.ts";
import { faultRoutes } from "./http/faults.ts";
import { registerBadTokenLimit, registerRequestGuards, registerSecurityHeaders } from "./http/hardening.ts";
import { inspectionRoutes } from "./http/inspections.ts";
import { EventTimeGuard } from "./event-time-guard.ts";
import { ingestRoutes } from "./http/ingest.ts";
import { kpiRoutes } from "./http/kpi.ts";
import { pagingRoutes } from "./http/paging.ts";
import { systemRoutes } from "./http/system.ts";
import { uiRoutes } from "./http/ui/routes.ts";
import { windowRoutes } from "./http/windows.ts";
import { type CollectorServerTimeouts, collectorServerFactory } from "./http/server.ts";
import { registerStandbyGate } from "./cluster/gate.ts";
import { ClusterNode, type LeaseStore } from "./cluster/node.ts";
import type { LeaseSettings } from "./domain/lease.ts";
import { AgentLiveness } from "./liveness.ts";
import { CollectorMetrics } from "./metrics.ts";
import { StorePruner } from "./store/prune.ts";
import type { NotificationsConfig } from "./paging/config.ts";
import { AgentMetricsReadings, type LiveReadings } from "./inspections/live-readings.ts";
import { InspectionMetrics } from "./inspections/metrics.ts";
import { InspectionService } from "./inspections/service.ts";
import { PagingService } from "./paging/service.ts";
import { isStoreFailure, StoreHealth } from "./store/health.ts";
import type { CollectorStore } from "./store/store.ts";
import type { CollectorTls } from "./tls.ts";

/** When a client refused for a store failure (a full disk) is told to come back. */
const STORE_RETRY_AFTER_SECONDS = 30;

export interface CollectorDeps {
  config: CollectorConfig;
  policy: Policy;
  inventory: Inventory;
  clock: Clock;
  store: CollectorStore;
  registry: Registry;
  logger: Logger;
  /** Runbooks (Markdown) for the web UI: config/runbooks beside the site file; absent, the repository's. */
  runbookDir?: string;
  /** The notifications file (collector/paging): absent, nobody is paged. */
  notifications?: NotificationsConfig;
  /** collector.tls: serve HTTPS with this certificate and key. */
  tls?: CollectorTls;
  /** Shorter request timeouts than COLLECTOR_SERVER_TIMEOUTS (tests). */
  serverTimeouts?: Partial<CollectorServerTimeouts>;
  /** Inspection templates (collector.inspections); absent: no rounds are scheduled. */
  templates?: Template[];
  /** False while this collector is the standby: it creates no inspection rounds (default: active). */
  isActive?: () => boolean;
  /**
   * collector.ha: this collector is a node of an active/standby cluster on a shared store. It acts
   * (applies events, runs deadline timers, pages, schedules inspections) only while it holds the lease.
   */
  cluster?: { nodeId: string; address: () => string; settings: LeaseSettings; leaseStore: LeaseStore };
  /** Latest device readings for pre-filled inspection items and the web UI (default: read collector.agentMetrics). */
  liveReadings?: LiveReadings;
}

/**
 * Builds the collector as a fastify app (not listening): tests call inject() on it, the CLI listens.
 * Timers (deadlines, agent liveness) start with the app and stop when it closes.
 */
export async function buildCollector(
  deps: CollectorDeps,
): Promise<{
  app: FastifyInstance;
  ctx: CollectorContext;
  paging?: PagingService;
  routes: RouteAccess[];
  cluster?: ClusterNode;
}> {
  // Per-request logs would be one line per heartbeat; the collector logs what changed instead.
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // HTTPS here, or a trusted proxy's X-Forwarded-Proto: either way req.protocol is "https" and the
    // web UI's session cookie gets Secure.
    ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key.reveal() } } : {}),
    // The server itself, with request timeouts (collector/http/server.ts): fastify sets none.
    serverFactory: collectorServerFactory(deps.tls, deps.serverTimeouts),
    trustProxy: deps.config.trustProxy,
  });
  const faults = await FaultService.open({
    store: deps.store,
    clock: deps.clock,
    policy: deps.policy,
    inventory: deps.inventory,
    logger: deps.logger,
  });
  const liveness = new AgentLiveness({
    store: deps.store,
    faults,
    clock: deps.clock,
    logger: deps.logger,
    expected: deps.config.agents.filter((a) => a.heartbeat).map((a) => a.id),
    futureToleranceMs: deps.config.ingest.clockSkewSeconds * 1000,
  });
  const metrics = new CollectorMetrics(deps.registry, {
    faults: () => faults,
    store: deps.store,
    now: () => deps.clock.now(),
    policy: deps.policy,
  });
  faults.on("archive-failed", (f) => metrics.archiveFailures.inc({ reason: f.reason }, 1));
  faults.on("notice", (n) => {
    if (n.type === "breached" && n.deadline)
      metrics.breaches.inc({ class: n.class ?? "unknown", deadline: n.deadline });
  });
  const paging = deps.notifications
    ? new PagingService({
        config: deps.notifications,
        faults,
        store: deps.store,
        clock: deps.clock,
        logger: deps.logger,
        registry: deps.registry,
        sla: deps.policy,
        inventory: deps.inventory,
        publicUrl: deps.config.publicUrl,
      })
    : undefined;
  registerRequestGuards(app);
  // A request in its handler when the stop begins is answered, but its connection must not stay open
  // for the next one: node's server.close() waits for every connection, and a kept-alive one idles
  // for keepAliveMs (72 s) after the answer — past systemd's stop timeout. fastify only closes the
  // connections idle at the moment it closes (and answers 503 with `Connection: close` to new requests).
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });
  // The services that act on the store; a standby runs none of them (see `cluster` below).
  const acting = {
    start: () => {
      faults.start();
      pruner.start();
      liveness.start();
      paging?.start();
      inspections!.start();
    },
    // Sends in flight finish and engine work commits before this returns (before the store closes).
    stop: async () => {
      pruner.stop();
      liveness.stop();
      inspections!.stop();
      await paging?.stop();
      await faults.stop();
    },
  };
  const cluster = deps.cluster
    ? new ClusterNode(
        {
          nodeId: deps.cluster.nodeId,
          address: deps.cluster.address,
          settings: deps.cluster.settings,
          store: deps.cluster.leaseStore,
          logger: deps.logger,
          registry: deps.registry,
        },
        {
          // Another node may have acted since this one last loaded: everything comes from the store.
          takeOver: async () => {
            await faults.reload();
            acting.start();
          },
          stepDown: () => acting.stop(),
        },
      )
    : undefined;
  if (cluster) {
    registerStandbyGate(app, cluster);
    deps.store.db.setFence((tx) => cluster.fence(tx));
  }
  const isActive = cluster ? () => cluster.isActive() && (deps.isActive?.() ?? true) : deps.isActive;
  const templates = deps.templates ?? [];
  let inspections: InspectionService | undefined;
  const inspectionMetrics = new InspectionMetrics(deps.registry, {
    rows: () => inspections!.rows,
    now: () => deps.clock.now(),
    templates: () => templates.map((t) => t.id),
  });
  // One reader of the agents' /metrics (one cache) for inspection items and the web UI's readings.
  const liveReadings =
    deps.liveReadings ??
    (deps.config.agentMetrics.length > 0 ? new AgentMetricsReadings(deps.config.agentMetrics, deps.clock) : undefined);
  inspections = new InspectionService({
    store: deps.store,
    faults,
    clock: deps.clock,
    policy: deps.policy,
    inventory: deps.inventory,
    templates,
    logger: deps.logger,
    paging,
    isActive,
    metrics: inspectionMetrics,
    liveReadings,
  });
  const ctx: CollectorContext = {
    clock: deps.clock,
    store: deps.store,
    faults,
    liveness,
    eventTimes: new EventTimeGuard({
      bounds: {
        skewToleranceMs: deps.config.ingest.clockSkewSeconds * 1000,
        maxAgeMs: deps.config.ingest.maxEventAgeSeconds * 1000,
      },
      metrics,
      faults,
      logger: deps.logger,
    }),
    metrics,
    policy: deps.policy,
    inventory: deps.inventory,
    logger: deps.logger,
    inspections,
    cluster,
  };
  // A request that failed on the store (a damaged page, a full disk) makes /healthz say so until a write works.
  const storeHealth = new StoreHealth(deps.store.db, deps.registry);
  app.addHook("onError", async (_req, _reply, err) => {
    if (isStoreFailure(err)) storeHealth.noteFailure(err, deps.clock.now());
  });
  // A store failure is the collector's condition, not the request's: 503 with the reason and when to
  // come back, never a 500 (an agent reads a 500 as possibly about its batch, and splits it).
  app.setErrorHandler((err, req, reply) => {
    if (!isStoreFailure(err)) return reply.send(err);
    const reason = storeHealth.words(err);
    req.log.error({ err, store: deps.store.db.where }, `request failed on the store: ${reason}`);
    return reply
      .code(503)
      .header("retry-after", String(STORE_RETRY_AFTER_SECONDS))
      .send({ error: "store_unavailable", message: `${reason}; send it again later` });
  });
  app.addHook("onResponse", async (req, reply) => {
    // An accepted event batch was written to the store (other posts may touch only memory).
    if (req.routeOptions.url === "/api/v1/events" && reply.statusCode < 300) storeHealth.noteWriteOk();
  });
  await registerSecurityHeaders(app);
  const badTokens = await registerBadTokenLimit(app, {
    max: deps.config.badTokenLimit.max,
    windowSeconds: deps.config.badTokenLimit.window,
  });
  const routes = registerAuth(app, { store: deps.store, agents: deps.config.agents, badTokens });
  await app.register(ingestRoutes, ctx);
  await app.register(faultRoutes, ctx);
  await app.register(windowRoutes, ctx);
  await app.register(kpiRoutes, ctx);
  await app.register(inspectionRoutes, ctx);
  await app.register(pagingRoutes, { ...ctx, paging });
  await app.register(systemRoutes, { ...ctx, registry: deps.registry, storeHealth });
  await app.register(uiRoutes, { ...ctx, paging, runbookDir: deps.runbookDir, liveReadings, badTokens });
  const pruner = new StorePruner({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    registry: deps.registry,
    retention: deps.config.retention,
  });
  app.addHook("onReady", async () => {
    if (cluster) cluster.start();
    else acting.start();
  });
  app.addHook("onClose", async () => {
    if (cluster) await cluster.stop();
    else await acting.stop();
  });
  return { app: app as unknown as FastifyInstance, ctx, paging, routes, cluster };
}
