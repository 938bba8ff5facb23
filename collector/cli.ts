import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { Registry } from "prom-client";
import { splitHostPort } from "../agent/server.ts";
import { systemClock } from "../common/clock.ts";
import { formatConfigError } from "../common/config/load.ts";
import { ListenError, listenOrExplain } from "../common/listen.ts";
import { createLogger } from "../common/logger.ts";
import { registerProcessMetrics } from "../common/process-metrics.ts";
import { buildCollector } from "./app.ts";
import { openLeaseStore } from "./cluster/open.ts";
import { loadCollectorSite } from "./site.ts";
import { damagedStoreAdvice, isStoreFailure, storeDamageAtStart, storeFailureKind, storeFailureWords } from "./store/health.ts";
import { collectorDatabasePath, openCollectorStore } from "./store/open.ts";
import type { CollectorStore } from "./store/store.ts";

const USAGE = `usage: watchfloor-collector --config FILE [--listen HOST:PORT]

  --config FILE       site config (YAML) with a collector section
  --listen HOST:PORT  override collector.listen (127.0.0.1:0 picks a free port)
`;

/** How long a SIGTERM/SIGINT waits for the server, the lease and the store before giving up on them. */
export const SHUTDOWN_DEADLINE_MS = 7_000;

export async function main(argv: string[]): Promise<number> {
  let values: { config?: string; listen?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        listen: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    process.stderr.write(`watchfloor-collector: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`watchfloor-collector: --config FILE is required\n${USAGE}`);
    return 2;
  }
  const { site, errors } = loadCollectorSite(values.config);
  if (!site) {
    process.stderr.write(
      `watchfloor-collector: refusing to start, the configuration has ${errors.length} error(s):\n`,
    );
    for (const e of errors) process.stderr.write(`  ${formatConfigError(e)}\n`);
    return 2;
  }
  const logger = createLogger("watchfloor-collector");
  const registry = new Registry();
  registerProcessMetrics(registry, "watchfloor_collector_");
  const storeConfig = site.config.collector.store;
  const dbFile = collectorDatabasePath(site.config.collector.dataDir);
  // A damaged store is refused here, naming the file and the way back, rather than serving 500s (or
  // dying with a stack trace) later. quick_check reads the whole file once: seconds for a large store.
  const refuse = (detail: string) => {
    const message = `the store ${dbFile} is damaged (${detail}); ${damagedStoreAdvice(values.config!)}`;
    logger.fatal({ store: dbFile, detail }, "refusing to start: the store is damaged");
    process.stderr.write(`watchfloor-collector: refusing to start: ${message}\n`);
    return 1;
  };
  // A full disk, a failing one or a permission is not damage: restoring a backup would throw data away.
  const unusable = (words: string) => {
    logger.fatal({ store: dbFile, detail: words }, "refusing to start: the store cannot be used");
    process.stderr.write(`watchfloor-collector: refusing to start: ${words}\n`);
    return 1;
  };
  const refuseStore = (err: Error & { code: string }) => {
    const kind = storeFailureKind(err, dbFile);
    return kind === "damaged"
      ? refuse(`${err.message} (${err.code})`)
      : unusable(storeFailureWords(err, dbFile, kind));
  };
  if (storeConfig.kind === "sqlite") {
    const damage = storeDamageAtStart(dbFile);
    if (typeof damage === "object") return unusable(damage.unchecked);
    if (damage) return refuse(damage);
  }
  let store: CollectorStore;
  let built: Awaited<ReturnType<typeof buildCollector>>;
  try {
    store = await openCollectorStore(site.config.collector);
  } catch (err) {
    if (storeConfig.kind === "postgres") {
      // The message names host, port and database; the URL (and any password in it) is never printed.
      logger.fatal({ store: "postgres", err: (err as Error).message }, "refusing to start: the store cannot be opened");
      process.stderr.write(`watchfloor-collector: refusing to start: ${(err as Error).message}\n`);
      return 1;
    }
    if (isStoreFailure(err)) return refuseStore(err);
    throw err;
  }
  logger.info({ store: store.db.kind, at: store.db.where }, "store opened");
  const ha = site.config.collector.ha;
  let lease: Awaited<ReturnType<typeof openLeaseStore>> | undefined;
  // Where this node listens once it does; until then (the first heartbeat) the configured address.
  let boundAddress = "";
  if (ha) {
    try {
      lease = await openLeaseStore(site.config.collector);
    } catch (err) {
      logger.fatal({ err: (err as Error).message }, "refusing to start: the cluster lease cannot be reached");
      process.stderr.write(`watchfloor-collector: refusing to start: ${(err as Error).message}\n`);
      await store.close();
      return 1;
    }
  }
  const listenAt = values.listen ?? site.config.collector.listen;
  try {
    built = await buildCollector({
      config: site.config.collector,
      policy: site.policy,
      inventory: site.inventory,
      notifications: site.notifications,
      tls: site.tls,
      runbookDir: join(dirname(site.file), "runbooks"),
      templates: site.templates,
      clock: systemClock,
      store,
      registry,
      logger,
      ...(ha && lease
        ? {
            cluster: {
              nodeId: ha.nodeId,
              address: () => ha.address ?? (boundAddress || `http://${listenAt}`),
              settings: ha,
              leaseStore: lease.store,
            },
          }
        : {}),
    });
  } catch (err) {
    await lease?.close();
    await store.close();
    if (isStoreFailure(err)) return refuseStore(err);
    throw err;
  }
  const { app } = built;
  const listen = listenAt;
  const { host, port } = splitHostPort(listen);
  let address: string;
  try {
    address = await listenOrExplain("the API, web UI and /metrics (collector.listen)", listen, () =>
      app.listen({ host, port }),
    );
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    logger.fatal({ listen, code: err.code }, err.message);
    process.stderr.write(`watchfloor-collector: ${err.message}\n`);
    await app.close();
    await lease?.close();
    await store.close();
    return 1;
  }
  boundAddress = address;
  logger.info(
    {
      address,
      devices: Object.keys(site.inventory.devices).length,
      ...(site.tls ? { tlsCertificateValidTo: site.tls.validTo } : {}),
      ...(site.config.collector.trustProxy !== false ? { trustProxy: site.config.collector.trustProxy } : {}),
    },
    "collector started",
  );
  if (ha)
    logger.info(
      { node: ha.nodeId, heartbeatSeconds: ha.heartbeatSeconds, failoverSeconds: ha.failoverSeconds },
      "cluster node: active while it holds the lease, standby otherwise",
    );
  process.stdout.write(`watchfloor-collector listening on ${address}\n`);
  return new Promise<number>((done) => {
    const shutdown = async (signal: string) => {
      logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, "collector stopping");
      // Requests in flight are answered, engine work commits, the lease is freed, the store closes. A
      // database that is gone (or hangs) must not hold the stop for ever (systemd would SIGKILL after
      // TimeoutStopSec): past the deadline what is still waiting is abandoned. Nothing acknowledged is
      // lost: a batch is committed before its 200, and an agent sends again what was not answered.
      let step = "closing the HTTP server (requests in flight, engine work, cluster lease)";
      const steps = (async () => {
        await app.close();
        step = "freeing the cluster lease connection";
        await lease?.close();
        step = "closing the store";
        await store.close();
      })();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), SHUTDOWN_DEADLINE_MS);
      });
      const outcome = await Promise.race([steps.then(() => "stopped" as const), deadline]).catch((err: Error) => {
        logger.error({ err: err.message, step }, "collector stop failed");
        return "failed" as const;
      });
      clearTimeout(timer);
      if (outcome === "stopped") {
        logger.info({ signal }, "collector stopped");
        done(0);
        return;
      }
      if (outcome === "deadline") {
        logger.error(
          { signal, deadlineMs: SHUTDOWN_DEADLINE_MS, step },
          "collector stop deadline passed: abandoning pending store work (nothing acknowledged is lost; unanswered batches are sent again by the agents)",
        );
        app.server.closeAllConnections();
      }
      done(1);
      // Sockets to a database that is gone may keep the event loop alive: exit regardless, a moment later.
      setTimeout(() => process.exit(1), 200).unref();
    };
    process.once("SIGINT", () => void shutdown("SIGINT"));
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
  });
}
