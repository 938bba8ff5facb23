import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { watchfloor } from "../harness/fault-record.ts";
import { node } from "../harness/process.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

/**
 * Issue 12 #6: a damaged store must be noticed. Real SQLite files, damaged the way a disk does it:
 * whole pages overwritten with garbage (found with SQLite's own dbstat table), or the header.
 */

/** A collector store with 400 condition events (the events table spans many pages). */
async function storeWithEvents(file: string): Promise<void> {
  const h = await testCollector({ dbFile: file });
  for (let b = 0; b < 4; b++) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      id: `agent-1-seed-${b}-${i}-xxxxxxxx`,
      type: "condition",
      device: `dev-${i % 7}`,
      condition: "if.down",
      labels: { ifname: `port-${b}-${i}`.padEnd(120, "x") },
      state: i % 2 ? "clear" : "firing",
      observedAt: new Date(h.clock.now() - 3_600_000 + b * 1000 + i).toISOString(),
    }));
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: { agent: "agent-1", events },
    });
    expect(res.statusCode).toBe(200);
  }
  await h.app.close();
  h.store.sqlite!.pragma("wal_checkpoint(TRUNCATE)");
  h.store.sqlite!.close();
}

/** Overwrites every page of the events table and its index with garbage; returns how many. */
function garbleEventsPages(file: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = (
    db.prepare("SELECT pageno FROM dbstat WHERE name IN ('events', 'sqlite_autoindex_events_1')").all() as {
      pageno: number;
    }[]
  ).map((r) => r.pageno);
  db.close();
  const fd = openSync(file, "r+");
  const garbage = Buffer.alloc(pageSize, 0xa5);
  for (const p of pages) writeSync(fd, garbage, 0, pageSize, (p - 1) * pageSize);
  closeSync(fd);
  return pages.length;
}

function garbleHeader(file: string): void {
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
  closeSync(fd);
}

const event = (id: string) => ({
  agent: "agent-1",
  events: [{ id, type: "condition", device: "ups-1", condition: "ups.on_battery", state: "firing", observedAt: new Date().toISOString() }],
});

describe("/healthz tells whether the store can take writes", () => {
  it("garbage in the events table's pages: ingest fails, and /healthz says 503 and why", async () => {
    const dir = join(new Floor({ devices: "  []" }).dir, "collector");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "collector.db");
    await storeWithEvents(file);
    expect(garbleEventsPages(file)).toBeGreaterThan(3);
    const h = await testCollector({ dbFile: file });
    const ingest = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: event("agent-1-after-damage-0001"),
    });
    // The store's condition, not the batch's: 503 (an agent would read a 500 as maybe about its batch).
    expect(ingest.statusCode).toBe(503);
    expect(ingest.json()).toMatchObject({ error: "store_unavailable" });
    expect(ingest.json().message).toMatch(/^store damaged: /);
    const health = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: "unavailable", store: { ok: false } });
    expect(health.json().store.reason).toMatch(/malformed|corrupt/i);
    await h.app.close();
  });

  it("a request that failed on the store keeps /healthz at 503 until an event batch is written again", async () => {
    // Damage that only some writes reach cannot be staged page by page reliably. A store that refuses
    // writes for a while (SQLite's query_only, SQLITE_READONLY) makes ingest fail the same way; once it
    // takes writes again the probe passes, and the failed request still counts until a batch is written.
    const h = await testCollector();
    h.store.sqlite!.pragma("query_only = ON");
    const refused = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: event("agent-1-while-readonly-0001"),
    });
    expect(refused.statusCode).toBe(503);
    h.store.sqlite!.pragma("query_only = OFF");
    const bad = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(bad.statusCode).toBe(503);
    expect(bad.json().store.reason).toMatch(/a request failed on the store at .*: store not writable: .*attempt to write a readonly database \(SQLITE_READONLY\)/);
    const ok = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: event("agent-1-after-repair-0001"),
    });
    expect(ok.statusCode).toBe(200);
    expect((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    await h.app.close();
  });

  it("an undamaged store: /healthz 200, and its write probe leaves nothing behind", async () => {
    const h = await testCollector();
    const health = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", store: { ok: true } });
    expect((h.store.sqlite!.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(0);
    await h.app.close();
  });
});

describe("a damaged store: the collector refuses to start saying which file and what to do; store check shows it", () => {
  const floor = new Floor({ devices: "  []" });
  const file = join(floor.dir, "collector", "collector.db");

  beforeAll(async () => {
    mkdirSync(join(floor.dir, "collector"), { recursive: true });
    await storeWithEvents(file);
  });
  afterAll(() => floor.stop());

  it("store check --config on a sound store: ok, exit 0", () => {
    const r = watchfloor(floor, ["store", "check", "--config", floor.config]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${file}: ok`);
    expect(r.stdout).toMatch(/quick_check: ok/);
    expect(r.stdout).toMatch(/integrity_check: ok/);
  });

  it("events pages garbled: the collector exits 1 naming the file and the way back", async () => {
    garbleEventsPages(file);
    const proc = node("watchfloor-collector.mjs", ["--config", floor.config, "--listen", "127.0.0.1:0"], {
      env: floor.env,
    });
    const code = await new Promise<number | null>((r) => proc.child.once("exit", r));
    expect(code, proc.output).toBe(1);
    expect(proc.output).toContain(file);
    expect(proc.output).toMatch(/damaged \(quick_check: Tree \d+ page \d+: btreeInitPage\(\) returns error code 11/);
    expect(proc.output).toContain("watchfloor store restore --config");
    expect(proc.output).toContain("watchfloor store check --config");
    expect(proc.output).not.toMatch(/^\s+at /m);

    const r = watchfloor(floor, ["store", "check", "--config", floor.config]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${file}: DAMAGED`);
    expect(r.stdout).toMatch(/quick_check: .*(btree|page|malformed|corrupt)/i);
    expect(r.stdout).toMatch(/integrity_check: /);
  });

  it("header garbled (not a database any more): the same, never a raw stack trace", async () => {
    garbleHeader(file);
    const proc = node("watchfloor-collector.mjs", ["--config", floor.config, "--listen", "127.0.0.1:0"], {
      env: floor.env,
    });
    const code = await new Promise<number | null>((r) => proc.child.once("exit", r));
    expect(code, proc.output).toBe(1);
    expect(proc.output).toContain(file);
    expect(proc.output).toContain("watchfloor store restore --config");
    expect(proc.output).not.toMatch(/^\s+at /m);
    const r = watchfloor(floor, ["store", "check", "--config", floor.config]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${file}: DAMAGED`);
  });
});
