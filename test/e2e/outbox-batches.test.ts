import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Sender } from "../../agent/outbox/sender.ts";
import type { AgentEvent } from "../../common/wire.ts";
import { testCollector } from "../collector/harness.ts";
import { tempDir, until } from "../harness/process.ts";

/**
 * The sender against the real collector app listening on loopback (its real 4 MiB body limit and its
 * real validation): batches are sized by bytes, a 413 splits the batch, an event no batch can carry
 * is set aside, and the events behind any of these still arrive.
 */
type Harness = Awaited<ReturnType<typeof testCollector>>;
let h: Harness | undefined;
let sender: Sender | undefined;
let outbox: Outbox | undefined;

afterEach(async () => {
  sender?.stop();
  outbox?.close();
  await h?.app.close();
  h = sender = outbox = undefined;
});

const condition = (n: number, labels: Record<string, string>, title?: string): AgentEvent => ({
  id: `agent-1-ev-${String(n).padStart(6, "0")}`,
  type: "condition",
  device: "sw-1",
  condition: "if.down",
  labels,
  state: "firing",
  observedAt: new Date(Date.parse("2026-11-25T09:00:00+08:00") + n).toISOString(),
  ...(title ? { title } : {}),
});
const onBattery = (n: number): AgentEvent => ({
  ...(condition(n, {}) as Extract<AgentEvent, { type: "condition" }>),
  device: "ups-1",
  condition: "ups.on_battery",
});
/** 32 labels of 256 characters: the largest event the collector accepts (about 9 KB). */
const wideLabels = (n: number) =>
  Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`l${i}`, `${n}-${i}-`.padEnd(256, "v")]));

async function start(events: AgentEvent[], opts: { batchSize?: number; maxBatchBytes?: number } = {}) {
  h = await testCollector({ start: new Date().toISOString() });
  const url = await h.app.listen({ host: "127.0.0.1", port: 0 });
  outbox = new Outbox(join(tempDir("wf-outbox-"), "outbox.db"));
  for (const e of events) outbox.append(e);
  const posts: number[] = [];
  const logger = pino({ level: process.env.TEST_LOG ?? "silent" });
  const rejected: string[] = [];
  sender = new Sender(outbox, {
    agentId: "agent-1",
    urls: [url],
    token: h.secret,
    logger,
    minBackoffMs: 50,
    ...opts,
    onDelivered: (n) => posts.push(n),
    onRejected: (id) => rejected.push(id),
  });
  sender.start();
  await until("outbox drained", () => outbox!.size() === 0 || undefined, 30_000, 20);
  return { posts, rejected, outbox };
}

const faultsOf = (condition: string) => h!.ctx.faults.liveFaults().filter((f) => f.condition === condition);

describe("outbox sender: batches by bytes, 413 splits, oversized events set aside", () => {
  it("a 500-event batch of 9 KB events (over 4 MiB) gets 413 from the collector and is split until it goes", async () => {
    // One wide condition instance going off and on: the engine keeps one fault, so the collector's
    // time per event stays small and the test is about sizes.
    const events = [
      ...Array.from(
        { length: 500 },
        (_, i) => ({ ...condition(i, wideLabels(0)), state: i % 2 ? "clear" : "firing" }) as AgentEvent,
      ),
      onBattery(500),
    ];
    expect(Buffer.byteLength(JSON.stringify(events))).toBeGreaterThan(4 * 1024 * 1024);
    const { posts, rejected } = await start(events, { batchSize: 1000, maxBatchBytes: 64 * 1024 * 1024 });
    expect(rejected).toEqual([]);
    expect(posts.reduce((a, b) => a + b, 0)).toBe(501);
    expect(Math.max(...posts)).toBeLessThan(500);
    const stored = h!.store.sqlite!.prepare("SELECT count(*) AS n FROM events WHERE type = 'condition'").get() as {
      n: number;
    };
    expect(stored.n).toBe(501);
    expect(faultsOf("ups.on_battery")).toHaveLength(1);
  }, 60_000);

  it("by default no batch is over 1 MiB, so no 413 ever happens", async () => {
    const events = [
      ...Array.from(
        { length: 250 },
        (_, i) => ({ ...condition(i, wideLabels(0)), state: i % 2 ? "clear" : "firing" }) as AgentEvent,
      ),
      onBattery(250),
    ];
    const { posts, rejected } = await start(events);
    expect(rejected).toEqual([]);
    // 9 KB events: 1 MiB holds about 110 of them, well under the 200-event count.
    expect(Math.max(...posts)).toBeLessThan(200);
    expect(faultsOf("ups.on_battery")).toHaveLength(1);
  }, 60_000);

  it("an event larger than any batch is set aside without blocking the one behind it", async () => {
    const huge = condition(1, { ifname: "x".repeat(2 * 1024 * 1024) });
    const { rejected, outbox: box } = await start([huge, onBattery(2)]);
    expect(rejected).toEqual([huge.id]);
    expect(box.rejected()[0]!.reason).toMatch(/more than a batch may carry/);
    expect(faultsOf("ups.on_battery")).toHaveLength(1);
  });

  it("an event the collector refuses as too large (413) on its own is set aside", async () => {
    const huge = condition(1, { ifname: "x".repeat(5 * 1024 * 1024) });
    const { rejected, outbox: box } = await start([onBattery(0), huge, onBattery(2)], {
      maxBatchBytes: 64 * 1024 * 1024,
    });
    expect(rejected).toEqual([huge.id]);
    expect(box.rejected()[0]!.reason).toMatch(/413/);
    expect(faultsOf("ups.on_battery")).toHaveLength(1);
  });

  it("label values and titles over the documented limits are refused (400) and set aside, the rest arrives", async () => {
    const longLabel = condition(1, { ifname: "y".repeat(257) });
    const longTitle = condition(2, {}, "t".repeat(513));
    const fits = condition(3, { ifname: "z".repeat(256) }, "t".repeat(512));
    const { rejected, outbox: box } = await start([longLabel, longTitle, fits, onBattery(4)]);
    expect(rejected.sort()).toEqual([longLabel.id, longTitle.id].sort());
    expect(
      box
        .rejected()
        .map((r) => r.reason)
        .join("\n"),
    ).toMatch(/400/);
    expect(faultsOf("if.down")).toHaveLength(1);
    expect(faultsOf("ups.on_battery")).toHaveLength(1);
  });
});
