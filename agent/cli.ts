import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { systemClock } from "../common/clock.ts";
import { formatConfigError } from "../common/config/load.ts";
import { checkUdpBindable, ListenError, listenOrExplain } from "../common/listen.ts";
import { createLogger } from "../common/logger.ts";
import { registerProcessMetrics } from "../common/process-metrics.ts";
import { Agent, UNREACHABLE } from "./agent.ts";
import { AgentErrors, installProcessGuards } from "./errors.ts";
import { AgentMetrics } from "./metrics.ts";
import { Outbox } from "./outbox/outbox.ts";
import { Sender } from "./outbox/sender.ts";
import { appliedIds } from "./profiles/load.ts";
import { buildAgentServer, splitHostPort } from "./server.ts";
import { loadSite, type PreparedDevice } from "./site.ts";

const USAGE = `usage: watchfloor-agent --config FILE [--once] [--listen HOST:PORT]

  --config FILE       site config (YAML): agent section, devices, profiles folder
  --once              poll every device once, print one JSON object per device, exit
  --listen HOST:PORT  override agent.listen (use 127.0.0.1:0 for any free port)
`;

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`watchfloor-agent: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!args.values.config) {
    process.stderr.write(`watchfloor-agent: --config FILE is required\n${USAGE}`);
    return 2;
  }
  const { site, errors } = loadSite(args.values.config);
  if (!site) {
    process.stderr.write(
      `watchfloor-agent: refusing to start, the configuration has ${errors.length} error(s):\n`,
    );
    for (const e of errors) process.stderr.write(`  ${formatConfigError(e)}\n`);
    return 2;
  }
  // --once prints its JSON lines on stdout; its log goes to stderr so the two never mix.
  const logger = createLogger("watchfloor-agent", { stream: args.values.once ? "stderr" : "stdout" });
  // profile: auto — fingerprint those SNMP devices now; one that is not recognised keeps polling sysUpTime.
  // (Imported only then: the SNMP code is loaded only by sites that use it.)
  if (site.devices.some((d) => d.config.profile === "auto")) {
    const { resolveAutoProfiles } = await import("./drivers/snmp/auto.ts");
    for (const problem of await resolveAutoProfiles(site.devices, site.profiles, Date.now, logger)) logger.error(problem);
  }
  // Every profile in the folder was loaded to check the config (~0.6 MB for the shipped ones). Without a
  // `profile: auto` device (whose watch composes from all of them at any poll), only the profiles the
  // devices are read with, and what those include, are kept.
  if (!site.devices.some((d) => d.config.profile === "auto")) {
    const used = new Set(site.devices.flatMap((d) => appliedIds(d.profile, site.profiles)));
    for (const id of [...site.profiles.keys()]) if (!used.has(id)) site.profiles.delete(id);
  }
  // What each device is read with: a `profile: auto` device may be composed again by a poll.
  const applied = (id: string) => {
    const d = site.devices.find((x) => x.config.id === id);
    return d ? appliedIds(d.profile, site.profiles) : [];
  };
  if (args.values.once) return runOnce(site.devices, applied, logger);

  const agentConfig = site.config.agent;
  if (!agentConfig) {
    process.stderr.write(
      `watchfloor-agent: ${site.file}: agent: the agent section is required to run (it names the collector)\n`,
    );
    return 2;
  }
  const registry = new Registry();
  registerProcessMetrics(registry, "watchfloor_agent_");
  const metrics = new AgentMetrics(registry);
  const agentErrors = new AgentErrors(logger, registry);
  installProcessGuards(agentErrors, {
    exit: (message) => {
      logger.fatal({ component: "process" }, message);
      process.stderr.write(`watchfloor-agent: ${message}; exiting\n`);
      process.exit(70);
    },
  });
  metrics.setProfiles(
    site.devices.map((d) => ({ id: d.config.id, profiles: applied(d.config.id) })),
  );
  const outboxFile = resolve(agentConfig.dataDir, "outbox.db");
  const refuseOutbox = (doing: string, err: unknown) => {
    const message = `cannot ${doing} the outbox ${outboxFile} (agent.dataDir): ${outboxProblem(err)}`;
    logger.fatal({ outbox: outboxFile, error: (err as Error).message }, `refusing to start: ${message}`);
    process.stderr.write(`watchfloor-agent: refusing to start: ${message}\n`);
    return 1;
  };
  let outbox: Outbox;
  try {
    outbox = new Outbox(outboxFile);
  } catch (err) {
    return refuseOutbox("open", err);
  }
  const agent = await Agent.create({
    agentId: agentConfig.id,
    devices: site.devices,
    clock: systemClock,
    logger,
    metrics,
    outbox,
    errors: agentErrors,
  });
  const sender = new Sender(outbox, {
    agentId: agentConfig.id,
    urls: agentConfig.collector.urls,
    token: agentConfig.collector.token,
    logger,
    onDelivered: (n) => metrics.eventsDelivered.inc(n),
    onFailure: () => metrics.deliveryFailures.inc(),
    onFailover: (_from, to) => {
      metrics.collectorFailovers.inc();
      metrics.setCollector(agentConfig.collector.urls, to);
    },
    setAside: {
      attempts: agentConfig.outbox?.setAside?.attempts,
      afterMs: agentConfig.outbox?.setAside?.after === undefined ? undefined : agentConfig.outbox.setAside.after * 1000,
    },
    onRejected: (_id, _reason, kind) => metrics.eventsRejected.inc({ reason: kind }),
    onUnreadableReply: () => metrics.unreadableReplies.inc(),
  });
  metrics.setCollector(agentConfig.collector.urls, sender.url);
  const heartbeat = () =>
    outbox.append({
      id: `${agentConfig.id}-hb-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
      type: "heartbeat",
      at: new Date(systemClock.now()).toISOString(),
      interval: agentConfig.heartbeat,
    });
  // The first heartbeat shows the outbox takes writes: an existing file opens on a full disk.
  try {
    heartbeat();
  } catch (err) {
    outbox.close();
    return refuseOutbox("write to", err);
  }
  const server = buildAgentServer({
    registry,
    readings: metrics.readings,
    health: () => {
      const failed = outbox.writeFailure();
      const state = failed
        ? { status: "unavailable", outbox: { ok: false, reason: `the outbox cannot be written since ${new Date(failed.at).toISOString()}: ${failed.reason}` } }
        : { outbox: { ok: true } };
      return { ...state, agent: agentConfig.id, devices: site.devices.length, outboxPending: outbox.size() };
    },
  });
  metrics.pendingEvents = () => outbox.size();
  // Every listener the config names is opened before polling starts; one that cannot be is fatal.
  const listen = args.values.listen ?? agentConfig.listen;
  let address: string;
  try {
    if (agentConfig.traps) {
      const trapAt = splitHostPort(agentConfig.traps.listen);
      await checkUdpBindable("the SNMP trap receiver (agent.traps.listen)", trapAt.host, trapAt.port);
    }
    const { host, port } = splitHostPort(listen);
    address = await listenOrExplain("/metrics and /healthz (agent.listen)", listen, () => server.listen({ host, port }));
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    logger.fatal({ listen: err.address, code: err.code }, err.message);
    process.stderr.write(`watchfloor-agent: ${err.message}\n`);
    await server.close();
    outbox.close();
    return 1;
  }
  logger.info(
    { address, devices: site.devices.length, collectors: agentConfig.collector.urls },
    "agent started",
  );
  // The demo and tests read this line to find the port when listening on :0.
  process.stdout.write(`watchfloor-agent listening on ${address}\n`);
  // A heartbeat that cannot be written (the outbox's disk) is reported; the next one tries again.
  const heartbeatTimer = setInterval(() => {
    try {
      heartbeat();
    } catch (err) {
      agentErrors.report("heartbeat", err, "heartbeat not written to the outbox");
    }
  }, agentConfig.heartbeat * 1000);
  sender.start();
  agent.start();
  // Traps raise conditions at once (the agent then polls the device to confirm).
  const traps = agentConfig.traps
    ? (await import("./drivers/snmp/traps.ts")).startTrapReceiver({
        listen: agentConfig.traps.listen,
        rateLimit: agentConfig.traps.rateLimit,
        receiveBufferBytes: agentConfig.traps.receiveBufferBytes,
        devices: site.devices,
        sink: agent,
        logger,
        registry,
        errors: agentErrors,
      })
    : undefined;

  return new Promise<number>((done) => {
    const shutdown = async (signal: string) => {
      logger.info({ signal }, "agent stopping");
      clearInterval(heartbeatTimer);
      await traps?.close();
      await agent.stop();
      await sender.flush(2000);
      await sender.stop();
      await server.close();
      outbox.close();
      done(0);
    };
    process.once("SIGINT", () => void shutdown("SIGINT"));
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
  });
}

/** What stops the outbox file from opening, in words a person can act on. */
function outboxProblem(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const code = e.code ?? "";
  const detail = code ? `${e.message} (${code})` : String(e.message ?? err);
  if (code === "SQLITE_FULL" || code === "ENOSPC" || code.startsWith("SQLITE_IOERR"))
    return `${detail}: the disk is full or failing; free space on it and start again`;
  if (code === "SQLITE_READONLY" || code === "SQLITE_CANTOPEN" || code === "EACCES" || code === "EROFS")
    return `${detail}: the agent cannot write there; check the directory's owner and permissions`;
  return detail;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      config: { type: "string" },
      once: { type: "boolean", default: false },
      listen: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}

async function runOnce(
  devices: PreparedDevice[],
  applied: (device: string) => string[],
  logger: Logger,
): Promise<number> {
  const agent = await Agent.create({
    agentId: "once",
    devices,
    clock: systemClock,
    logger: logger.child({}, { level: "error" }),
  });
  const results = await agent.pollAll();
  for (const r of results) {
    const conditions = [
      { name: UNREACHABLE.name, labels: {}, state: r.up ? "clear" : "firing" },
      ...r.observations.map((o) => ({
        name: o.condition.name,
        labels: o.labels,
        state: o.observed ? "firing" : "clear",
      })),
    ];
    const line = {
      device: r.device,
      up: r.up,
      ...(r.error ? { error: r.error } : {}),
      profiles: applied(r.device),
      readings: r.readings,
      ...(r.readingErrors.length ? { readingErrors: r.readingErrors } : {}),
      conditions,
      pollDurationSeconds: r.durationSeconds,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    if (r.up && r.readings.length === 0)
      logger.warn(
        { device: r.device, profiles: line.profiles, readingErrors: r.readingErrors.length },
        r.readingErrors.length
          ? "device answered but every reading failed (see readingErrors): its profile does not fit it"
          : "device answered but gave no readings: none of its profile's OIDs or registers exist on it",
      );
  }
  await agent.stop();
  return 0;
}
