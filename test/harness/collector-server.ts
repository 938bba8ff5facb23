/** A real collector on loopback (port 0) with its SQLite file on disk (or another store), for the storm test and bench:ingest. */
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import { Registry } from "prom-client";
import { buildCollector } from "../../collector/app.ts";
import type { CollectorServerTimeouts } from "../../collector/http/server.ts";
import { defaultPolicy, type Inventory, type Policy } from "../../collector/domain/index.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { systemClock } from "../../common/clock.ts";
import { threadCpuMs } from "../../common/thread-cpu.ts";
import { collectorSchema } from "../../common/config/schema.ts";

export const SERVER_AGENT_TOKEN = "agent-token-for-the-loopback-collector";

/** A collector on the SQLite file `dbFile`, or on `store` (PostgreSQL, say), closed with it. */
export async function startCollectorServer(
  opts: ({ dbFile: string } | { store: CollectorStore }) & {
    inventory: Inventory;
    policy?: Policy;
    serverTimeouts?: Partial<CollectorServerTimeouts>;
  },
) {
  const store = "store" in opts ? opts.store : new CollectorStore(StoreDb.sqlite(opts.dbFile));
  const config = collectorSchema.parse({ agents: [{ id: "agent-1", token: SERVER_AGENT_TOKEN }] });
  const { app, ctx } = await buildCollector({
    config,
    policy: opts.policy ?? defaultPolicy,
    inventory: opts.inventory,
    clock: systemClock,
    store,
    registry: new Registry(),
    logger: pino({ level: "silent" }),
    ...(opts.serverTimeouts ? { serverTimeouts: opts.serverTimeouts } : {}),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("collector did not bind a TCP port");
  const url = `http://127.0.0.1:${address.port}`;
  const token = await store.addUser("bench-admin", "admin", Date.now());
  return {
    url,
    app,
    ctx,
    store,
    /** An admin's API token. */
    token,
    async postEvents(events: unknown[]): Promise<{ accepted: number; duplicates: number }> {
      const res = await fetch(`${url}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${SERVER_AGENT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ agent: "agent-1", events }),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
      return (await res.json()) as { accepted: number; duplicates: number };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** A core switch, `switches` access switches under it, `perSwitch` devices under each (a floor's dependency tree). */
export function floorInventory(switches: number, perSwitch: number): Inventory {
  const devices: Inventory["devices"] = {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
  };
  for (let s = 0; s < switches; s++) {
    devices[`sw-${s}`] = { id: `sw-${s}`, class: "network", criticality: "medium", dependsOn: ["core"] };
    for (let d = 0; d < perSwitch; d++)
      devices[`term-${s}-${d}`] = { id: `term-${s}-${d}`, class: "terminal", criticality: "low", dependsOn: [`sw-${s}`] };
  }
  return { devices };
}

/** The storm: the core and every device under it go unreachable at once, as agent batches of `batch`. */
export function stormBatches(inventory: Inventory, at: number, batch = 200): unknown[][] {
  const events = Object.keys(inventory.devices).map((device, i) => ({
    id: `storm-${device}`,
    type: "condition",
    device,
    condition: "device.unreachable",
    state: "firing",
    observedAt: new Date(at + (i % 7) * 1000).toISOString(),
  }));
  const out: unknown[][] = [];
  for (let i = 0; i < events.length; i += batch) out.push(events.slice(i, i + batch));
  return out;
}

export type CollectorServer = Awaited<ReturnType<typeof startCollectorServer>>;

/**
 * Asks /healthz and the open-faults API over HTTP (or only `paths`), one after the other, until stopped;
 * returns each latency.
 */
function probe(s: CollectorServer, paths = ["/healthz", "/api/v1/faults?status=open"]) {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const url = `${s.url}${paths[i % paths.length]}`;
      const t = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${s.token}` } });
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return latencies;
    },
  };
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

/**
 * While `work` runs: the event loop's delay (monitorEventLoopDelay, wall clock), the API's latency
 * over real HTTP, and the CPU the process used within the longest gap between two runs of a 1 ms
 * timer. On a shared machine the wall-clock delay also counts the time the OS ran other processes;
 * the CPU used within a gap is what this process held the loop for.
 */
export async function measureWhile(s: CollectorServer, work: () => Promise<void>, probePaths?: string[]) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let heldCpuMs = 0;
  let cpu = threadCpuMs();
  const ticker = setInterval(() => {
    const now = threadCpuMs();
    heldCpuMs = Math.max(heldCpuMs, now - cpu);
    cpu = now;
  }, 1);
  const api = probe(s, probePaths);
  await work();
  const latencies = await api.stop();
  clearInterval(ticker);
  loop.disable();
  return { loopMaxMs: loop.max / 1e6, heldCpuMs, apiP99Ms: p99(latencies), requests: latencies.length };
}

