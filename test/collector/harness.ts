import pino from "pino";
import { Registry } from "prom-client";
import { type Clock, ManualClock } from "../../common/clock.ts";
import { Secret } from "../../common/config/secret.ts";
import { collectorSchema } from "../../common/config/schema.ts";
import { buildCollector } from "../../collector/app.ts";
import { defaultPolicy, type Inventory, type Policy } from "../../collector/domain/index.ts";
import type { Template } from "../../collector/domain/inspections/index.ts";
import type { LiveReadings } from "../../collector/inspections/live-readings.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore, type Role } from "../../collector/store/store.ts";

export const AGENT_TOKEN = "agent-token-for-tests";

/**
 * The collector app with a manual clock and its own SQLite file (or the store given: the contract
 * suite passes a PostgreSQL one), driven by inject() (no network).
 */
export async function testCollector(
  opts: {
    dbFile?: string;
    store?: CollectorStore;
    start?: string;
    inventory?: Inventory;
    policy?: Policy;
    clock?: Clock;
    templates?: Template[];
    isActive?: () => boolean;
    registry?: Registry;
    /** collector.agents (default: agent-1 with AGENT_TOKEN). */
    agents?: Array<{ id: string; token: string; heartbeat?: boolean }>;
    liveReadings?: LiveReadings;
  } = {},
) {
  // A manual clock unless the test brings its own (the real one, to watch timers fire).
  const clock = (opts.clock ?? new ManualClock(Date.parse(opts.start ?? "2026-11-25T09:00:00+08:00"))) as ManualClock;
  const store = opts.store ?? new CollectorStore(StoreDb.sqlite(opts.dbFile ?? ":memory:"));
  const config = collectorSchema.parse({ agents: opts.agents ?? [{ id: "agent-1", token: AGENT_TOKEN }] });
  const { app, ctx, routes } = await buildCollector({
    config,
    policy: opts.policy ?? defaultPolicy,
    inventory: opts.inventory ?? { devices: {} },
    clock,
    store,
    registry: opts.registry ?? new Registry(),
    logger: pino({ level: "silent" }),
    templates: opts.templates,
    isActive: opts.isActive,
    liveReadings: opts.liveReadings,
  });
  await app.ready();
  const tokens: Record<Role, string> = {
    engineer: await store.addUser("eng", "engineer", clock.now()),
    facility_manager: await store.addUser("fm", "facility_manager", clock.now()),
    client_auditor: await store.addUser("client", "client_auditor", clock.now()),
    admin: await store.addUser("root", "admin", clock.now()),
  };
  const call = async (method: "GET" | "POST", url: string, token: string | undefined, body?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    const json = res.headers["content-type"]?.toString().startsWith("application/json");
    return { status: res.statusCode, body: (json ? res.json() : { text: res.body }) as Record<string, unknown> };
  };
  return { app, ctx, routes, clock, store, tokens, call, secret: new Secret(AGENT_TOKEN) };
}
