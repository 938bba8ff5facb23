/**
 * bench:paging — detection-to-page latency: from the instant the agent observed a condition (the
 * event's observedAt, appended to the agent's real durable outbox) to the instant a receiver standing
 * in for a robot accepted the page. The path is the production one on loopback: outbox → sender →
 * POST /api/v1/events → fault engine → paging planner → durable send queue → HTTP channel; both
 * SQLite files are on disk with fsync. Faults go one at a time (no queueing), then in one burst.
 *
 * The poll interval is printed beside the figures: a change on the device waits up to one interval
 * (plus the debounce polls) before the agent observes it, which this pipeline then adds to.
 *
 * usage: npm run bench:paging [-- --faults 200 --burst 50]
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { Outbox } from "../agent/outbox/outbox.ts";
import { Sender } from "../agent/outbox/sender.ts";
import { buildCollector } from "../collector/app.ts";
import { policySchema } from "../collector/domain/index.ts";
import { notificationsSchema } from "../collector/paging/config.ts";
import { StoreDb } from "../collector/store/store-db.ts";
import { CollectorStore } from "../collector/store/store.ts";
import { systemClock } from "../common/clock.ts";
import { collectorSchema, deviceSchema } from "../common/config/schema.ts";
import { Secret } from "../common/config/secret.ts";

const arg = (name: string, fallback: number) =>
  Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || fallback;
const FAULTS = arg("faults", 200);
const BURST = arg("burst", 50);
const TOKEN = "bench-agent-token";
const POLL_INTERVAL_S = deviceSchema.parse({
  id: "d",
  name: "d",
  class: "ups",
  driver: "modbus",
  address: "x",
  profile: "p",
}).interval;

const dir = mkdtempSync(join(tmpdir(), "wf-bench-paging-"));
const accepted = new Map<string, number>();
const waiters = new Map<string, () => void>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const at = Date.now();
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { faults: Array<{ device: string }> };
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    for (const f of body.faults) {
      accepted.set(f.device, at);
      waiters.get(f.device)?.();
    }
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

const store = new CollectorStore(StoreDb.sqlite(join(dir, "collector.db")));
const { app } = await buildCollector({
  config: collectorSchema.parse({
    agents: [{ id: "agent-1", token: TOKEN }],
    publicUrl: "https://watchfloor.example",
  }),
  policy: policySchema.parse({
    classification: { rules: [{ match: { condition: "bench.*" }, class: "major" }] },
  }),
  inventory: { devices: {} },
  clock: systemClock,
  store,
  registry: new Registry(),
  logger: pino({ level: "silent" }),
  notifications: notificationsSchema.parse({
    ack: { secret: "bench" },
    channels: [{ id: "hook", type: "webhook", url: hookUrl }],
    people: [{ id: "oncall-1", name: "值班", channels: ["hook"] }],
    roster: { roles: ["oncall"], months: [] },
    policies: { major: { steps: [{ after: 0, notify: ["oncall-1"] }] } },
  }),
});
const collectorUrl = await app.listen({ host: "127.0.0.1", port: 0 });

const outbox = new Outbox(join(dir, "agent", "outbox.db"));
const sender = new Sender(outbox, {
  agentId: "agent-1",
  urls: [collectorUrl],
  token: new Secret(TOKEN),
  logger: pino({ level: "silent" }),
  minBackoffMs: 50,
});
sender.start();

let seq = 0;
function observe(device: string): number {
  const observedAt = Date.now();
  seq += 1;
  outbox.append({
    id: `bench-${process.pid}-${seq}`,
    type: "condition",
    device,
    condition: "bench.down",
    labels: {},
    state: "firing",
    observedAt: new Date(observedAt).toISOString(),
  });
  return observedAt;
}
const paged = (device: string) =>
  new Promise<void>((resolve, reject) => {
    if (accepted.has(device)) return resolve();
    const timer = setTimeout(() => reject(new Error(`no page for ${device} within 10 s`)), 10_000);
    waiters.set(device, () => {
      clearTimeout(timer);
      resolve();
    });
  });

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p99: q(0.99), max: s.at(-1)! };
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// Warm-up (JIT, first connections), not counted.
for (let i = 0; i < 10; i++) {
  observe(`warm-${i}`);
  await paged(`warm-${i}`);
}

const one: number[] = [];
for (let i = 0; i < FAULTS; i++) {
  const device = `dev-${i}`;
  const t = observe(device);
  await paged(device);
  one.push(accepted.get(device)! - t);
}

const burstStart: Array<[string, number]> = [];
for (let i = 0; i < BURST; i++) burstStart.push([`burst-${i}`, observe(`burst-${i}`)]);
await Promise.all(burstStart.map(([d]) => paged(d)));
const burst = burstStart.map(([d, t]) => accepted.get(d)! - t);

const a = stats(one);
const b = stats(burst);
const ratio = (ms: number) => `${((ms / (POLL_INTERVAL_S * 1000)) * 100).toFixed(2)} % of the poll interval`;
console.log(
  `detection-to-page latency (agent observed → receiver accepted the page), poll interval ${POLL_INTERVAL_S} s`,
);
console.log(
  `  one at a time, ${FAULTS} faults: median ${fmt(a.median)}, p99 ${fmt(a.p99)}, max ${fmt(a.max)}   (p99 = ${ratio(a.p99)})`,
);
console.log(
  `  burst of ${BURST} faults at once: median ${fmt(b.median)}, p99 ${fmt(b.p99)}, max ${fmt(b.max)}   (p99 = ${ratio(b.p99)})`,
);
console.log(
  `  worst case from the device's change: poll interval ${POLL_INTERVAL_S} s + debounce polls + ${fmt(a.p99)}`,
);

sender.stop();
outbox.close();
await app.close();
await store.close();
await new Promise<void>((r) => receiver.close(() => r()));
rmSync(dir, { recursive: true, force: true });
