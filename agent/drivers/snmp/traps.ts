import { createSocket, type RemoteInfo, type Socket, type SocketType } from "node:dgram";
import { lookup } from "node:dns/promises";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { AgentErrors } from "../../errors.ts";
import type { ProfileCondition } from "../../profiles/schema.ts";
import type { PreparedDevice } from "../../site.ts";
import { type SnmpUser, snmp, type TrapNotification, type Varbind } from "./netsnmp.ts";
import type { SnmpOptions } from "./options.ts";
import { parseTarget } from "./session.ts";
import { DEFAULT_TRAP_RATE_LIMIT, LogThrottle, sourceAddress, TokenBuckets, type TrapRateLimit } from "./trap-admission.ts";
import { type Trap, trapAction, v1TrapOid, v2TrapOid } from "./trap-map.ts";
import { udpDrops } from "./udp-drops.ts";
import { varbindValue } from "./values.ts";

/** What the receiver needs of the agent (Agent implements it). */
export interface TrapSink {
  injectCondition(
    deviceId: string,
    condition: Pick<ProfileCondition, "name" | "title" | "class">,
    labels: Record<string, string>,
    state: "firing" | "clear",
    at: number,
  ): void;
  pollNow(deviceId: string): Promise<unknown>;
}

export interface TrapReceiverOptions {
  listen: string;
  devices: readonly PreparedDevice[];
  sink: TrapSink;
  logger: Logger;
  registry?: Registry;
  errors?: AgentErrors;
  /** Per source address (agent.traps.rateLimit); DEFAULT_TRAP_RATE_LIMIT when absent. */
  rateLimit?: TrapRateLimit;
  /** The socket's receive buffer asked of the kernel (agent.traps.receiveBufferBytes). */
  receiveBufferBytes?: number;
  now?: () => number;
}

interface Target {
  device: PreparedDevice;
  host: string;
  /** The host and, once resolved, its addresses: traps come from an address, devices may have names. */
  addresses: Set<string>;
  community?: string;
  user?: string;
}

function targetsOf(devices: readonly PreparedDevice[]): Target[] {
  return devices
    .filter((d) => d.config.driver === "snmp")
    .map((device) => {
      const o = device.options as SnmpOptions;
      const host = parseTarget(device.config.address).host;
      const addresses = new Set([host]);
      return o.version === "3"
        ? { device, host, addresses, user: o.v3?.user }
        : { device, host, addresses, community: o.community?.reveal() ?? "public" };
    });
}

function usersOf(devices: readonly PreparedDevice[]): SnmpUser[] {
  const users = new Map<string, SnmpUser>();
  for (const d of devices) {
    const v3 = d.config.driver === "snmp" ? (d.options as SnmpOptions).v3 : undefined;
    if (!v3 || users.has(v3.user)) continue;
    users.set(v3.user, {
      name: v3.user,
      level: snmp.SecurityLevel[v3.level]!,
      ...(v3.authProtocol && v3.authKey
        ? { authProtocol: snmp.AuthProtocols[v3.authProtocol], authKey: v3.authKey.reveal() }
        : {}),
      ...(v3.level === "authPriv" && v3.privProtocol && v3.privKey
        ? { privProtocol: snmp.PrivProtocols[v3.privProtocol], privKey: v3.privKey.reveal() }
        : {}),
    });
  }
  return [...users.values()];
}

const text = (vb: Varbind) => String(varbindValue(vb));

/**
 * node:dgram for net-snmp's listener, with the handling of each datagram fenced: net-snmp parses,
 * answers informs and calls back inside the socket's "message" listener, and some packets make it
 * throw there (an inform whose version or request-id does not fit 32 bits throws a RangeError while
 * the reply is encoded). Uncaught, that ends the process; fenced, it costs that one packet.
 */
function fencedDgram(
  admit: (rinfo: RemoteInfo) => boolean,
  onPacketError: (err: unknown, rinfo: RemoteInfo) => void,
  onListening: (socket: Socket) => void,
  recvBufferSize: number,
) {
  return {
    createSocket(type: SocketType): Socket {
      // A storm of traps arrives while the event loop is busy: what does not fit the socket's receive
      // buffer the kernel drops (counted: watchfloor_agent_snmp_trap_kernel_drops_total).
      const socket = createSocket({ type, recvBufferSize });
      // net-snmp binds without waiting; "listening" is when a trap sent to the port is received.
      socket.once("listening", () => onListening(socket));
      const on = socket.on.bind(socket) as (event: string, listener: (...args: never[]) => void) => Socket;
      socket.on = ((event: string, listener: (...args: never[]) => void) => {
        if (event !== "message") return on(event, listener);
        const handle = listener as unknown as (msg: Buffer, rinfo: RemoteInfo) => void;
        return on("message", (msg: Buffer, rinfo: RemoteInfo) => {
          try {
            if (admit(rinfo)) handle(msg, rinfo);
          } catch (err) {
            onPacketError(err, rinfo);
          }
        });
      }) as Socket["on"];
      return socket;
    },
  };
}

/** The trap in a notification, v1 traps translated to their SNMPv2 OID (RFC 3584). */
export function trapOf(n: TrapNotification): Trap | undefined {
  const varbinds = n.pdu.varbinds.map((vb) => ({ oid: vb.oid, value: text(vb) }));
  const oid =
    n.pdu.type === snmp.PduType.Trap
      ? v1TrapOid(String(n.pdu.enterprise ?? ""), Number(n.pdu.generic ?? 6), Number(n.pdu.specific ?? 0))
      : v2TrapOid(varbinds);
  return oid ? { oid: oid.replace(/^\./, ""), varbinds } : undefined;
}

/**
 * Listens for SNMP traps and informs (v1, v2c, v3 with the users of the configured devices), finds the
 * device by source address (and community or v3 user, when several devices share an address), and
 * turns known traps into conditions at once; the agent then polls the device to confirm. Datagrams
 * from addresses no device has are dropped before parsing, each source is rate-limited; everything
 * dropped is counted, and logged at most once per reason every 10 s.
 */
export function startTrapReceiver(opts: TrapReceiverOptions): { close(): Promise<void> } {
  const { logger, sink } = opts;
  const now = opts.now ?? Date.now;
  const counter =
    (opts.registry?.getSingleMetric("watchfloor_agent_snmp_traps_total") as Counter<"outcome"> | undefined) ??
    new Counter({
      name: "watchfloor_agent_snmp_traps_total",
      help: "SNMP traps received, by outcome (condition, poll, unknown_trap, unknown_source, rate_limited, rejected)",
      labelNames: ["outcome"],
      registers: opts.registry ? [opts.registry] : [],
    });
  const errors = opts.errors ?? new AgentErrors(logger, opts.registry);
  const targets = targetsOf(opts.devices);
  const { host, port } = parseTarget(opts.listen);
  const throttle = new LogThrottle(10_000, Date.now);
  /** Logs at warn, at most once per reason every 10 s (the counter keeps the totals). */
  const warn = (reason: string, fields: Record<string, unknown>, message: string) => {
    const suppressed = throttle.pass(reason);
    if (suppressed !== undefined) logger.warn({ ...fields, ...(suppressed ? { suppressed } : {}) }, message);
  };
  const buckets = new TokenBuckets(opts.rateLimit ?? DEFAULT_TRAP_RATE_LIMIT, Date.now);
  const admit = (rinfo: RemoteInfo): boolean => {
    const from = sourceAddress(rinfo.address);
    if (!targets.some((t) => t.addresses.has(from))) {
      counter.inc({ outcome: "unknown_source" });
      warn("unknown_source", { from }, "SNMP trap from an address no device has: dropped");
      return false;
    }
    if (!buckets.take(from)) {
      counter.inc({ outcome: "rate_limited" });
      warn("rate_limited", { from }, "SNMP traps from this device over agent.traps.rateLimit: dropped");
      return false;
    }
    return true;
  };
  const asked = opts.receiveBufferBytes ?? DEFAULT_TRAP_RECEIVE_BUFFER;
  const transport = host.includes(":") ? "udp6" : "udp4";
  const drops = kernelDrops(logger, opts.registry);
  const dgramModule = fencedDgram(
    admit,
    (err, rinfo) =>
      errors.report("snmp_traps", err, "SNMP trap listener: a packet failed; dropped it, still listening", {
        from: rinfo.address,
      }),
    (socket) => {
      const receiveBuffer = socket.getRecvBufferSize();
      logger.info({ listen: opts.listen, devices: targets.length, receiveBuffer }, "SNMP trap receiver listening");
      // Linux reports twice what was set (its bookkeeping), capped by net.core.rmem_max.
      if (receiveBuffer < asked)
        logger.warn(
          { asked, receiveBuffer },
          "SNMP trap receive buffer smaller than agent.traps.receiveBufferBytes: the kernel caps it at net.core.rmem_max (raise it with sysctl, see deploy/README.md); a trap storm may be dropped",
        );
      drops.watch(socket.address().port, transport);
    },
    asked,
  );

  const receiver = snmp.createReceiver(
    {
      port,
      address: host,
      transport,
      includeAuthentication: true,
      dgramModule,
    },
    (err, notification) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === "EADDRINUSE" || code === "EACCES") {
        logger.error(
          { listen: opts.listen, error: err?.message },
          "SNMP trap receiver cannot listen (port in use, or below 1024 without CAP_NET_BIND_SERVICE)",
        );
        return;
      }
      if (err || !notification) {
        counter.inc({ outcome: "rejected" });
        warn(
          "rejected",
          { error: err?.message, from: (err as { rinfo?: RemoteInfo } | null)?.rinfo?.address },
          "SNMP trap rejected (unknown community or user, bad key, malformed)",
        );
        return;
      }
      const at = now();
      const from = sourceAddress(notification.rinfo.address);
      const pdu = notification.pdu as TrapNotification["pdu"] & { community?: string; user?: string };
      const matches = targets.filter(
        (t) =>
          t.addresses.has(from) &&
          (pdu.user ? t.user === pdu.user : pdu.community === undefined || t.community === pdu.community),
      );
      const trap = trapOf(notification);
      if (matches.length === 0 || !trap) {
        counter.inc({ outcome: trap ? "unknown_source" : "rejected" });
        warn(
          trap ? "unknown_source" : "rejected",
          { from, trap: trap?.oid },
          trap ? "SNMP trap whose community or user no device at that address has" : "SNMP notification without a trap OID",
        );
        return;
      }
      for (const { device } of matches) {
        const id = device.config.id;
        const action = trapAction(trap, device.profile.profile.traps);
        if (action.kind === "unknown") {
          counter.inc({ outcome: "unknown_trap" });
          warn(
            "unknown_trap",
            { device: id, trap: trap.oid, varbinds: trap.varbinds },
            "unknown SNMP trap (no profile maps it)",
          );
          continue;
        }
        if (action.kind === "poll") {
          counter.inc({ outcome: "poll" });
          logger.info({ device: id, trap: trap.oid }, "SNMP trap: polling the device");
          sink.pollNow(id).catch((err: unknown) => errors.report("poll", err, "poll after a trap failed", { device: id }));
          continue;
        }
        counter.inc({ outcome: "condition" });
        const known = device.profile.profile.conditions.find((c) => c.name === action.condition);
        logger.info(
          { device: id, trap: trap.oid, condition: action.condition, state: action.state },
          "SNMP trap",
        );
        sink.injectCondition(
          id,
          {
            name: action.condition,
            title: action.title ?? known?.title,
            class: action.class ?? known?.class,
          },
          action.labels,
          action.state,
          at,
        );
      }
    },
  );
  for (const t of targets)
    lookup(t.host, { all: true }).then(
      (found) => {
        for (const a of found) t.addresses.add(a.address);
      },
      (err: Error) =>
        logger.warn(
          { device: t.device.config.id, host: t.host, error: err.message },
          "SNMP trap source: device address does not resolve",
        ),
    );
  const authorizer = receiver.getAuthorizer();
  for (const c of new Set(targets.map((t) => t.community).filter((c): c is string => c !== undefined)))
    authorizer.addCommunity(c);
  for (const u of usersOf(opts.devices)) authorizer.addUser(u);
  return {
    close: () =>
      new Promise<void>((r) => {
        drops.stop();
        receiver.close(() => r());
      }),
  };
}

/** agent.traps.receiveBufferBytes by default: a storm of a thousand 4 KB traps fits. */
export const DEFAULT_TRAP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/**
 * Counts the datagrams the kernel dropped on the trap socket (watchfloor_agent_snmp_trap_kernel_drops_total)
 * and logs at error when that number grows: those traps are lost, and nothing else would say so.
 */
function kernelDrops(logger: Logger, registry: Registry | undefined) {
  let port: number | undefined;
  let family: "udp4" | "udp6" = "udp4";
  let seen: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    if (port === undefined) return;
    const now = udpDrops(port, family);
    if (now === undefined) return;
    // The first reading is the baseline: a socket bound a moment ago has dropped nothing of ours.
    if (seen !== undefined && now > seen) {
      counter.inc(now - seen);
      logger.error(
        { dropped: now - seen },
        "SNMP traps lost: the kernel dropped datagrams on the trap socket (receive buffer full; raise agent.traps.receiveBufferBytes and net.core.rmem_max)",
      );
    }
    seen = now;
  };
  const counter =
    (registry?.getSingleMetric("watchfloor_agent_snmp_trap_kernel_drops_total") as Counter | undefined) ??
    new Counter({
      name: "watchfloor_agent_snmp_trap_kernel_drops_total",
      help: "Datagrams the kernel dropped on the SNMP trap socket before the agent read them (receive buffer full): traps lost",
      registers: registry ? [registry] : [],
      collect: sample,
    });
  return {
    watch(boundPort: number, transport: "udp4" | "udp6") {
      port = boundPort;
      family = transport;
      seen = udpDrops(port, family);
      timer = setInterval(sample, 5_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
