import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { node, tempDir } from "../harness/process.ts";
import { testCollector } from "./harness.ts";

/** Runs `watchfloor audit verify` on a copy of the database, tampered with by `tamper`. */
async function verifyAfter(pristine: string, tamper: (db: Database.Database) => void): Promise<{ code: number | null; output: string }> {
  const dir = tempDir("wf-audit-");
  copyFileSync(pristine, join(dir, "collector.db"));
  const db = new Database(join(dir, "collector.db"));
  tamper(db);
  db.close();
  const config = join(dir, "site.yaml");
  writeFileSync(config, `site: { name: audit }\ncollector:\n  dataDir: ${dir}\n  agents: [{ id: a, token: t }]\n`);
  const p = node("watchfloor.mjs", ["audit", "verify", "--config", config]);
  const code = await new Promise<number | null>((r) => p.child.once("exit", r));
  return { code, output: p.output };
}

describe("watchfloor audit verify: the hash chain proves nothing was edited, removed or reordered", () => {
  const dir = tempDir("wf-audit-src-");
  const pristine = join(dir, "collector.db");
  let entries = 0;

  beforeAll(async () => {
    const h = await testCollector({ dbFile: pristine });
    for (let i = 0; i < 3; i++) {
      const f = await h.call("POST", "/api/v1/faults", h.tokens.engineer, { device: `seat-${i}`, class: "general", title: "黑屏" });
      const id = (f.body.fault as { id: string }).id;
      h.clock.advance(60_000);
      await h.call("POST", `/api/v1/faults/${id}/ack`, h.tokens.engineer, { note: "remote support" });
      h.clock.advance(60_000);
      await h.call("POST", `/api/v1/faults/${id}/resolve`, h.tokens.engineer, {});
    }
    entries = h.store.audit().length;
    await h.app.close();
    h.store.db.close();
  });

  it("says ok on an untouched trail", async () => {
    expect(entries).toBeGreaterThanOrEqual(9);
    const res = await verifyAfter(pristine, () => {});
    expect(res.output).toContain(`ok: ${entries} audit entries`);
    expect(res.code).toBe(0);
  });

  it("detects an edited entry", async () => {
    const res = await verifyAfter(pristine, (db) => db.prepare("UPDATE audit SET actor = 'someone-else' WHERE seq = 4").run());
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/BROKEN at entry 4/);
  });

  it("detects an edited time (the SLA evidence)", async () => {
    const res = await verifyAfter(pristine, (db) => db.prepare("UPDATE audit SET at = at - 600000 WHERE seq = 5").run());
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/BROKEN at entry 5/);
  });

  it("detects a deleted entry", async () => {
    const res = await verifyAfter(pristine, (db) => db.prepare("DELETE FROM audit WHERE seq = 3").run());
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/BROKEN at entry [34]/);
  });

  it("detects entries cut off the end of the trail", async () => {
    const res = await verifyAfter(pristine, (db) => db.prepare("DELETE FROM audit WHERE seq > ?").run(entries - 2));
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/BROKEN at entry \d+: chain ends at #\d+, expected head #\d+/);
  });

  it("detects two swapped entries", async () => {
    const res = await verifyAfter(pristine, (db) => {
      const a = db.prepare("SELECT * FROM audit WHERE seq = 2").get() as Record<string, unknown>;
      const b = db.prepare("SELECT * FROM audit WHERE seq = 3").get() as Record<string, unknown>;
      const put = db.prepare("UPDATE audit SET at = ?, actor = ?, action = ?, fault_id = ?, window_id = ?, detail = ?, prev_hash = ?, hash = ? WHERE seq = ?");
      put.run(b.at, b.actor, b.action, b.fault_id, b.window_id, b.detail, b.prev_hash, b.hash, 2);
      put.run(a.at, a.actor, a.action, a.fault_id, a.window_id, a.detail, a.prev_hash, a.hash, 3);
    });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/BROKEN at entry 2/);
  });
});
