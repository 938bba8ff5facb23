import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchfloor } from "../harness/fault-record.ts";
import { Floor } from "../harness/floor.ts";
import { sampleValue } from "../harness/metrics.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { node } from "../harness/process.ts";
import { SmallDisk, smallDiskMissing } from "../harness/small-disk.ts";

const SUITE = "collector on a full disk (its dataDir on a tmpfs filled to the last page)";

describe.skipIf(skipWithout(smallDiskMissing(), SUITE))(SUITE, () => {
  const floor = new Floor({ devices: "  []" });
  const disk = new SmallDisk(join(floor.dir, "collector"));
  const file = join(floor.dir, "collector", "collector.db");
  const accepted: string[] = [];
  let batches = 0;

  beforeAll(async () => {
    disk.mount();
    await floor.startCollector();
  }, 120_000);

  afterAll(async () => {
    await floor.stop();
    disk.unmount();
  });

  /** A batch of condition events with long labels (new pages in the events table and its index). */
  const batch = () => {
    const n = batches++;
    return Array.from({ length: 100 }, (_, i) => ({
      id: `agent-test-b${n}-e${i}`.padEnd(60, "x"),
      type: "condition",
      device: `dev-${i % 5}`,
      condition: "if.down",
      labels: { ifname: `port-${n}-${i}`.padEnd(240, "x") },
      state: i % 2 ? "clear" : "firing",
      observedAt: new Date(Date.now() - 60_000).toISOString(),
    }));
  };
  const post = async (events: Array<{ id: string }>) => {
    const res = await fetch(`${floor.collectorUrl}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${floor.env.WATCHFLOOR_AGENT_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "agent-test", events }),
    });
    if (res.status === 200) accepted.push(...events.map((e) => e.id));
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { error?: string; message?: string } };
  };

  it("answers 503 'store full' with Retry-After (never 500), /healthz 503 naming the disk, and loses nothing it accepted", async () => {
    for (let i = 0; i < 3; i++) expect((await post(batch())).status).toBe(200);
    disk.fill();
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    let events = batch();
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await post(events);
      if (r.status === 200) events = batch();
      else refused = r;
    }
    expect(refused?.status, JSON.stringify(refused)).toBe(503);
    expect(refused!.retryAfter).toBe("30");
    expect(refused!.body.error).toBe("store_unavailable");
    expect(refused!.body.message).toMatch(new RegExp(`^store full: the disk holding ${file} has no room \\(.*SQLITE_(FULL|IOERR)`));
    const health = await fetch(`${floor.collectorUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { store: { reason: string } }).store.reason).toMatch(/store full: the disk holding .* has no room/);
    const metrics = await fetch(`${floor.collectorUrl}/metrics`).then((r) => r.text());
    expect(sampleValue(metrics, "watchfloor_store_failures_total", { kind: "full" })).toBeGreaterThanOrEqual(1);
    expect(floor.collector!.output).toMatch(/"level":50[^\n]*request failed on the store: store full/);

    disk.free();
    // What the 503 refused is sent again (as the agent's outbox does) and taken.
    expect((await post(events)).status).toBe(200);
    expect((await post(batch())).status).toBe(200);
    expect((await fetch(`${floor.collectorUrl}/healthz`)).status).toBe(200);

    // kill -9: every event answered 200 is in the file (read by SQLite itself, WAL recovered).
    await floor.collector!.stop("SIGKILL");
    const db = new Database(file);
    const ids = new Set((db.prepare("SELECT id FROM events").all() as { id: string }[]).map((r) => r.id));
    db.close();
    expect(accepted.length).toBeGreaterThanOrEqual(500);
    expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
  }, 120_000);

  it("restarted on the full disk: refuses saying the disk is full, not that the store is damaged; store check says NOT CHECKED; after freeing space all is there", async () => {
    disk.fill();
    const proc = node("watchfloor-collector.mjs", ["--config", floor.config, "--listen", "127.0.0.1:0"], { env: floor.env });
    // One that starts after all (the old behaviour on some errors) is stopped, not left running.
    const code = await Promise.race([
      new Promise<number | null>((r) => proc.child.once("exit", r)),
      proc.waitFor(/listening on/, 60_000).then(() => proc.stop().then(() => "started")),
    ]).catch(() => proc.stop().then(() => "no exit"));
    expect(code, proc.output).toBe(1);
    expect(proc.output).toMatch(new RegExp(`refusing to start: store full: the disk holding ${file} has no room .*free space on it, nothing is damaged`));
    expect(proc.output).not.toMatch(/the store \S+ is damaged|store restore/);
    const check = watchfloor(floor, ["store", "check", "--config", floor.config]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${file}: NOT CHECKED`);
    expect(check.stdout).toMatch(/store full: .*nothing is damaged/);
    expect(check.stdout).not.toContain("DAMAGED");

    disk.free();
    const sound = watchfloor(floor, ["store", "check", "--config", floor.config]);
    expect(sound.status, sound.stdout + sound.stderr).toBe(0);
    expect(sound.stdout).toContain(`${file}: ok`);
    await floor.startCollector();
    const db = new Database(file, { readonly: true });
    const n = (db.prepare("SELECT count(*) AS n FROM events WHERE agent = 'agent-test'").get() as { n: number }).n;
    db.close();
    expect(n).toBe(accepted.length);
  }, 120_000);
});
