import pino from "pino";
import type { LiveReadings } from "../../collector/inspections/live-readings.ts";
import { Registry } from "prom-client";
import { buildCollector, type CollectorDeps } from "../../collector/app.ts";
import { defaultPolicy, type Inventory, type Policy } from "../../collector/domain/index.ts";
import type { Template } from "../../collector/domain/inspections/index.ts";
import { notificationsSchema } from "../../collector/paging/config.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { type Clock, ManualClock } from "../../common/clock.ts";
import { collectorSchema } from "../../common/config/schema.ts";

export const AGENT_TOKEN = "agent-token-for-paging-tests";
export const AM_TOKEN = "alertmanager-token-for-paging-tests";
export const START = Date.parse("2026-11-25T09:00:00+08:00");

/**
 * The months (Asia/Shanghai, YYYY-MM) a roster must cover for a test: the month of every instant given,
 * the month before and the month after. Tests that run on the wall clock pass `Date.now()`, so the roster
 * never runs out with the calendar (the test broke on 2026-12-01 when it listed only 2026-11).
 */
export function rosterMonths(...instants: number[]): string[] {
  const months = new Set<string>();
  for (const at of instants) {
    for (const shiftDays of [-31, 0, 31]) {
      const d = new Date(at + shiftDays * 86_400_000 + 8 * 3_600_000);
      months.add(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
    }
  }
  return [...months].sort();
}

/**
 * The collector with paging configured (a notifications object, validated by the real schema), its own
 * SQLite file (so a test can restart it on the same file) and a manual clock unless told otherwise.
 */
export async function pagingCollector(opts: {
  notifications: unknown;
  dbFile?: string;
  clock?: Clock;
  policy?: Policy;
  inventory?: Inventory;
  publicUrl?: string;
  registry?: Registry;
  templates?: Template[];
  liveReadings?: LiveReadings;
  /** A node of an active/standby cluster (collector.ha) on this store. */
  cluster?: CollectorDeps["cluster"];
  /** collector.ingest (time bounds at ingest); its defaults when absent. */
  ingest?: { maxEventAgeSeconds?: string };
}) {
  const clock = opts.clock ?? new ManualClock(START);
  const store = new CollectorStore(StoreDb.sqlite(opts.dbFile ?? ":memory:"));
  const config = collectorSchema.parse({
    agents: [
      { id: "agent-1", token: AGENT_TOKEN },
      { id: "alertmanager", token: AM_TOKEN, heartbeat: false },
    ],
    publicUrl: opts.publicUrl ?? "https://watchfloor.example.gov.cn",
    ...(opts.ingest ? { ingest: opts.ingest } : {}),
  });
  const registry = opts.registry ?? new Registry();
  const { app, ctx, paging, routes, cluster } = await buildCollector({
    config,
    policy: opts.policy ?? defaultPolicy,
    inventory: opts.inventory ?? { devices: {} },
    clock,
    store,
    registry,
    logger: pino({ level: "silent" }),
    notifications: notificationsSchema.parse(opts.notifications),
    templates: opts.templates,
    liveReadings: opts.liveReadings,
    cluster: opts.cluster,
  });
  await app.ready();
  let seq = 0;
  /** Sends condition events as agent-1 would (observedAt is the device-side time). */
  const condition = async (
    device: string,
    condition: string,
    state: "firing" | "clear",
    observedAt: number,
    extra: Record<string, unknown> = {},
  ) => {
    seq += 1;
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: {
        agent: "agent-1",
        events: [
          {
            id: `agent-1-${process.pid}-${Date.now()}-${seq}`,
            type: "condition",
            device,
            condition,
            state,
            observedAt: new Date(observedAt).toISOString(),
            ...extra,
          },
        ],
      },
    });
    if (res.statusCode !== 200) throw new Error(`ingest ${res.statusCode}: ${res.body}`);
  };
  const userToken = await store.addUser("eng", "engineer", clock.now());
  const get = async (url: string) =>
    (await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${userToken}` } })).json();
  const close = async () => {
    await app.close();
    await store.close();
  };
  return { app, ctx, paging: paging!, routes, cluster, clock, store, registry, condition, get, close, userToken };
}

/**
 * A storm as the agent sends it: `devices` terminals (term-0000 …) unreachable (or reachable again) at
 * `at`, posted to /api/v1/events in batches of 200 like the agent's outbox.
 */
export async function postStorm(
  app: Awaited<ReturnType<typeof pagingCollector>>["app"],
  devices: number,
  state: "firing" | "clear",
  at: number,
): Promise<void> {
  for (let i = 0; i < devices; i += 200) {
    const events = Array.from({ length: Math.min(200, devices - i) }, (_, k) => ({
      id: `storm-${state}-${at}-${i + k}`,
      type: "condition",
      device: `term-${String(i + k).padStart(4, "0")}`,
      condition: "device.unreachable",
      state,
      observedAt: new Date(at).toISOString(),
    }));
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: { agent: "agent-1", events },
    });
    if (res.statusCode !== 200) throw new Error(`ingest ${res.statusCode}: ${res.body}`);
  }
}

/** A notifications file with one webhook channel per person, the roster of the tests, and the given policies. */
export function notifications(
  urls: Record<string, string>,
  policies: unknown,
  extra: Record<string, unknown> = {},
) {
  return {
    ack: { secret: "ack-secret-for-tests", ttl: "24h" },
    channels: Object.entries(urls).map(([id, url]) => ({ id, type: "webhook", url, attempts: 1 })),
    people: [
      { id: "zhangwei", name: "张伟", mobile: "13800000001", channels: [Object.keys(urls)[0]] },
      { id: "chenjing", name: "陈静", mobile: "13800000004", channels: [Object.keys(urls)[0]] },
      { id: "zhoumin", name: "周敏", mobile: "13800000005", channels: [Object.keys(urls)[0]] },
    ],
    roster: {
      roles: ["oncall", "lead", "manager"],
      months: rosterMonths(START, Date.now()).map((month) => ({
        month,
        duty: { oncall: ["zhangwei"], lead: ["chenjing"], manager: ["zhoumin"] },
      })),
    },
    policies,
    runbooks: [{ condition: "ups.*", title: "YJ-03 UPS 及供电中断应急预案" }],
    ...extra,
  };
}
