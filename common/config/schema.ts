import { z } from "zod";
import { DEFAULT_LEASE_SETTINGS, leaseSettingsProblems, MIN_FAILOVER_SECONDS } from "../../collector/domain/lease.ts";
import { rawList } from "./load.ts";
import { didYouMean } from "./nearest.ts";
import { parseDurationSeconds } from "../duration.ts";
import { portSelectionSchema } from "../ports.ts";
import { resolveSecretText, Secret } from "./secret.ts";

/** Seconds, written as a number or "10s" / "5m" / "2h". */
export const durationSeconds = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 10s, 5m or 2h, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  }
  return seconds;
});

/** A secret: plain text, `${env:NAME}` or `${file:/path}`. Resolved at load, printed as [secret]. */
export const secret = z.string().transform((raw, ctx) => {
  const res = resolveSecretText(raw);
  if (!res.ok) {
    ctx.addIssue({ code: "custom", message: res.error });
    return z.NEVER;
  }
  return new Secret(res.value);
});

export const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:502");

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected an id of letters, digits, '.', '_' or '-'");

export const DEVICE_CLASSES = [
  "ups",
  "network",
  "security",
  "wireless",
  "environment",
  "pdu",
  "display",
  "link",
  "trunk",
  "terminal",
  "server",
  "cctv",
  "access",
  "sms",
  "other",
] as const;

export const deviceSchema = z.strictObject({
  id,
  name: z.string().min(1),
  class: z.enum(DEVICE_CLASSES),
  zone: z.string().optional(),
  criticality: z.enum(["high", "medium", "low"]).default("medium"),
  driver: z.string().min(1),
  address: z.string().min(1),
  /** Driver-specific options; each driver validates its own. */
  options: z.record(z.string(), z.unknown()).default({}),
  profile: z.string().min(1),
  interval: durationSeconds.default(30),
  timeout: durationSeconds.optional(),
  dependsOn: z.array(z.string()).default([]),
  /** Which ports may open a port fault (if.down); the default is the uplinks. See common/ports.ts. */
  ports: portSelectionSchema,
});
export type DeviceConfig = z.infer<typeof deviceSchema>;


/**
 * A collector's address: http or https, no path, user:password, query or fragment in it (the agent
 * authenticates with its token; a secret in the URL would reach logs and the agent's /metrics labels).
 */
const collectorUrl = z
  .url({ protocol: /^https?$/ })
  .refine((u) => new URL(u).username === "" && new URL(u).password === "", {
    message: "a collector URL carries no user:password (the agent authenticates with agent.collector.token)",
  })
  .refine((u) => new URL(u).search === "" && new URL(u).hash === "", {
    message:
      "a collector URL carries no ?query or #fragment (events go to its /api/v1/events; a token in a query would reach logs and the agent's /metrics labels)",
  })
  .refine((u) => new URL(u).pathname === "/", {
    message:
      "a collector URL is its origin only, scheme://host[:port] (events go to /api/v1/events at its root; a collector behind a path prefix is not supported)",
  });
export const agentSchema = z.strictObject({
  id,
  /** Where /metrics and /healthz listen. */
  listen: hostPort.default("127.0.0.1:9464"),
  /** Folder for the durable outbox. */
  dataDir: z.string().default("var/agent"),
  /** Profiles folder, relative to the config file. */
  profilesDir: z.string().default("profiles"),
  heartbeat: durationSeconds.default(15),
  /**
   * Where events go: `url`, or `urls` for collectors in active/standby (tried in order; the agent stays
   * with the one that answers and moves to the next on a refused connection, a timeout or a 5xx).
   */
  collector: z
    .strictObject({
      url: collectorUrl.optional(),
      urls: z.array(collectorUrl).min(1).optional(),
      token: secret,
    })
    .superRefine((c, ctx) => {
      if (c.url !== undefined && c.urls !== undefined)
        ctx.addIssue({ code: "custom", path: ["urls"], message: "give url or urls, not both" });
      else if (c.url === undefined && c.urls === undefined)
        ctx.addIssue({ code: "custom", path: ["url"], message: "expected url (one collector) or urls (a list, for active/standby collectors)" });
      const seen = new Set<string>();
      (c.urls ?? []).forEach((u, i) => {
        if (seen.has(u)) ctx.addIssue({ code: "custom", path: ["urls", i], message: `duplicate collector URL ${u}` });
        seen.add(u);
      });
    })
    .transform((c) => ({ urls: c.urls ?? [c.url!], token: c.token })),
  /** The outbox's sender (agent/outbox/sender.ts). */
  outbox: z
    .strictObject({
      /**
       * An event every collector answers 5xx to when sent alone, while the events behind it go through,
       * waits aside, is retried alone, and is set aside in the rejected table once it failed `attempts`
       * times over at least `after` (defaults: agent/outbox/failing-events.ts DEFAULT_SET_ASIDE).
       */
      setAside: z
        .strictObject({ attempts: z.number().int().min(1).optional(), after: durationSeconds.optional() })
        .optional(),
    })
    .optional(),
  /** No longer used (polls are spread by a hash of the device id); still accepted so older configs load. */
  jitter: z.number().min(0).max(1).optional(),
  /** SNMP trap receiver (v1/v2c/v3); traps are matched to devices by source address and community or user. */
  traps: z
    .strictObject({
      listen: hostPort.default("0.0.0.0:162"),
      /** Per source address: sustained traps per second and the burst allowed at once (token bucket). */
      rateLimit: z
        .strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) })
        .default({ perSecond: 20, burst: 200 }),
      /** The trap socket's receive buffer (bytes): what a storm can queue while the agent is busy. */
      receiveBufferBytes: z
        .number()
        .int()
        .min(65_536)
        .max(256 * 1024 * 1024)
        .default(4 * 1024 * 1024),
    })
    .optional(),
});

/**
 * collector.store: where the collector keeps its state. SQLite (the default) is one file in dataDir and
 * needs no server; PostgreSQL is for scale and for two collectors sharing one database. The URL is a
 * secret (it may carry a password): write it as ${env:NAME} or ${file:/path}; it is never printed.
 */
export const storeSchema = z
  .discriminatedUnion(
    "kind",
    [
      z.strictObject({ kind: z.literal("sqlite") }),
      z.strictObject({
        kind: z.literal("postgres"),
        url: secret.refine((s) => /^postgres(ql)?:\/\//.test(s.reveal()), {
          message: "expected a PostgreSQL URL: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
        }),
        poolSize: z.number().int().min(1).max(100).default(10),
      }),
    ],
    { error: (issue) => (issue.code === "invalid_union" ? 'expected kind: sqlite or kind: postgres' : undefined) },
  )
  .default({ kind: "sqlite" });

export type StoreConfig = z.output<typeof storeSchema>;

export const collectorSchema = z.strictObject({
  listen: hostPort.default("127.0.0.1:8480"),
  dataDir: z.string().default("var/collector"),
  store: storeSchema,
  /** Agents allowed to send events, each with its own bearer token. */
  agents: z
    .array(
      z.strictObject({
        id,
        token: secret,
        /** false for a sender that is not a Watchfloor agent (Alertmanager): it is not expected to heartbeat. */
        heartbeat: z.boolean().default(true),
      }),
    )
    .min(1),
  /** Policy file (classification rules, SLA deadlines, KPI), relative to the config file. */
  policy: z.string().optional(),
  /** Paging file (channels, on-call roster, escalation policies), relative to the config file. */
  notifications: z.string().optional(),
  /** Public base URL of the collector, used in links sent out in pages (acknowledge links). */
  publicUrl: z.url().optional(),
  /** Folder of inspection templates (*.yaml), relative to the config file; absent: no inspection rounds. */
  inspections: z.string().optional(),
  /** Agents' /metrics URLs: inspection items marked prefill are offered the device's latest reading from there. */
  agentMetrics: z.array(z.url()).default([]),
  /** HTTPS served by the collector itself: PEM certificate (chain) and private key files, relative to the config file. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /**
   * Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto / -For / -Host. `true`
   * trusts any peer; better, the proxy's addresses or CIDRs (e.g. [127.0.0.1]).
   */
  trustProxy: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]).default(false),
  /** Missing or unknown API tokens allowed per client address within `window`; then 429 until it ends. */
  badTokenLimit: z
    .strictObject({ max: z.number().int().min(1), window: durationSeconds })
    .default({ max: 30, window: 60 }),
  /**
   * How long event receipts are kept (the ids that make a redelivery harmless); pruned hourly. An event
   * redelivered after that is still harmless (the engine knows it, or it is older than what was archived).
   */
  retention: z
    .strictObject({ events: durationSeconds.default(30 * 86400), heartbeats: durationSeconds.default(86400) })
    .prefault({}),
  /**
   * Bounds on the times agents report (collector/event-time.ts). clockSkewSeconds: an agent clock offset
   * (its batch's sentAt − receive time) beyond it is corrected out of the batch's times, and no time may
   * lie further in the future; maxEventAgeSeconds: an event older than this on arrival is taken at its
   * receive time. The default 30 d matches retention.events: no outbox waits that long, and a period's
   * KPI is final 30 d after it ends.
   */
  ingest: z
    .strictObject({
      clockSkewSeconds: durationSeconds.default(60),
      maxEventAgeSeconds: durationSeconds.default(30 * 86400),
    })
    .prefault({})
    .refine((i) => i.maxEventAgeSeconds > i.clockSkewSeconds, {
      message: "maxEventAgeSeconds must exceed clockSkewSeconds",
      path: ["maxEventAgeSeconds"],
    }),
  /**
   * Active/standby: this collector is one node of a cluster on one PostgreSQL store; a lease in the
   * database decides which node is active (collector/domain/lease.ts). Absent: a lone collector.
   */
  ha: z
    .strictObject({
      /** This node's name, unique in the cluster (shown by `watchfloor cluster status`). */
      nodeId: id,
      /** How other nodes and people reach this one (shown by `cluster status`); default: the address it listens on. */
      address: z.url().optional(),
      /** The active renews its lease, a standby looks at it, this often (Zabbix: 5 s). */
      heartbeatSeconds: z.number().int().min(1).default(DEFAULT_LEASE_SETTINGS.heartbeatSeconds),
      /** A lease not renewed for this long lapses and a standby takes over (Zabbix: 1 min by default, 10 s at the least). */
      failoverSeconds: z.number().int().min(MIN_FAILOVER_SECONDS).default(DEFAULT_LEASE_SETTINGS.failoverSeconds),
    })
    .superRefine((ha, ctx) => {
      if (ha.failoverSeconds < MIN_FAILOVER_SECONDS) return; // said by min() already
      for (const message of leaseSettingsProblems(ha)) ctx.addIssue({ code: "custom", path: ["heartbeatSeconds"], message });
    })
    .optional(),
}).superRefine((c, ctx) => {
  if (c.ha && c.store.kind !== "postgres")
    ctx.addIssue({
      code: "custom",
      path: ["ha"],
      message: "active/standby collectors share one PostgreSQL database: collector.ha needs collector.store {kind: postgres, url}",
    });
});

export const siteConfigSchema = z
  .strictObject({
    site: z.strictObject({
      name: z.string().min(1),
      timezone: z.string().default("Asia/Shanghai"),
    }),
    zones: z.array(z.strictObject({ id, name: z.string() })).default([]),
    agent: agentSchema.optional(),
    collector: collectorSchema.optional(),
    devices: z.array(deviceSchema).default([]),
  })
  // Runs even when other parts of the document failed (`when`), so a misspelt key elsewhere does not
  // hide an unknown zone: every error in one pass. The value may then be partly raw, hence the guards.
  .superRefine(
    (cfg, ctx) => {
      const zones = rawList(cfg.zones);
      const firstZone = new Map<unknown, number>();
      zones.forEach((z, i) => {
        const first = firstZone.get(z.id);
        if (first !== undefined)
          ctx.addIssue({ code: "custom", path: ["zones", i, "id"], message: `duplicate zone id ${z.id} (also zones[${first}])` });
        else firstZone.set(z.id, i);
      });
      const zoneIds = new Set(zones.map((z) => z.id));
      const devices = rawList(cfg.devices);
      const deviceIds = new Set<unknown>();
      devices.forEach((d, i) => {
        if (deviceIds.has(d.id))
          ctx.addIssue({ code: "custom", path: ["devices", i, "id"], message: `duplicate device id ${d.id}` });
        deviceIds.add(d.id);
        if (typeof d.zone === "string" && !zoneIds.has(d.zone))
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "zone"],
            message: `unknown zone ${d.zone}${didYouMean(d.zone, [...zoneIds].map(String))} (zones: ${[...zoneIds].join(", ") || "none declared"})`,
          });
      });
      devices.forEach((d, i) => {
        (Array.isArray(d.dependsOn) ? d.dependsOn : []).forEach((parent, j) => {
          if (!deviceIds.has(parent))
            ctx.addIssue({
              code: "custom",
              path: ["devices", i, "dependsOn", j],
              message: `unknown device ${parent}`,
            });
        });
      });
      // site.timezone is checked by the collector's loader (collector/site.ts), the only reader of it.
    },
    { when: () => true },
  );

export type SiteConfig = z.infer<typeof siteConfigSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type CollectorConfig = z.infer<typeof collectorSchema>;
