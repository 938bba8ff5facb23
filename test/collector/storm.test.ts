import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  floorInventory,
  measureWhile,
  startCollectorServer,
  stormBatches,
} from "../harness/collector-server.ts";
import { tempDir } from "../harness/process.ts";

const inventory = floorInventory(30, 50); // the core, 30 access switches, 1,500 devices under them
type Server = Awaited<ReturnType<typeof startCollectorServer>>;
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function server(): Promise<Server> {
  const s = await startCollectorServer({ dbFile: join(tempDir("wf-storm-"), "collector.db"), inventory });
  servers.push(s);
  return s;
}

async function storm(s: Server) {
  const t0 = performance.now();
  let accepted = 0;
  // As an agent sends them: one batch of 200 at a time, the next when the last was acknowledged.
  for (const batch of stormBatches(inventory, Date.now() - 60_000))
    accepted += (await s.postEvents(batch)).accepted;
  return { accepted, ms: performance.now() - t0 };
}

describe("a storm: 1,500 devices go unreachable and fold under their parents while the API keeps answering", () => {
  it("commits and folds everything, holds the event loop < 50 ms at a time, and the API answers throughout", async () => {
    // A rehearsal on another collector first, so the measurement is not of the JIT compiling the engine.
    await storm(await server());

    const s = await server();
    let result = { accepted: 0, ms: 0 };
    const during = await measureWhile(s, async () => {
      result = await storm(s);
    });
    console.log(
      `storm: ${result.accepted} events committed and folded in ${result.ms.toFixed(0)} ms; event loop held at most ` +
        `${during.heldCpuMs.toFixed(1)} ms of CPU (wall-clock delay max ${during.loopMaxMs.toFixed(1)} ms on this machine); ` +
        `API p99 ${during.apiP99Ms.toFixed(1)} ms over ${during.requests} requests`,
    );

    expect(result.accepted).toBe(1531);
    const faults = s.ctx.faults.liveFaults();
    expect(faults.filter((f) => f.status === "folded")).toHaveLength(1530);
    const open = faults.filter((f) => f.status === "open");
    expect(open.map((f) => f.device)).toEqual(["core"]);
    expect(open[0]!.children).toHaveLength(1530);
    expect(open[0]!.class).toBe("major");
    expect(s.store.sqlite!.prepare("SELECT COUNT(*) AS n FROM faults WHERE status = 'folded'").get()).toEqual({
      n: 1530,
    });

    // The goal is 50 ms (printed above, and by npm run bench:ingest). Measured as the CPU time of the
    // loop's own thread (V8's parallel GC threads and libuv's pool not counted), which a busy machine
    // still stretches (cache misses, a scavenge on the main thread); an unsliced engine holds the loop
    // ≥ 100 ms on this storm, so 80 ms still tells the two apart.
    expect(during.heldCpuMs).toBeLessThan(80);
    // The API kept answering throughout (a request at a time, each waiting for its answer). The storm
    // now commits in 0.25–0.4 s, 8 or so round trips in all, so this counts answers, not slices:
    // the hold above is what shows the slicing.
    expect(during.requests).toBeGreaterThanOrEqual(4);
    expect(during.apiP99Ms).toBeLessThan(1_000);
  }, 240_000);
});
