import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { node, tempDir } from "../harness/process.ts";
import { testCollector } from "./harness.ts";

/** Runs `watchfloor audit verify` on a copy of the database, tampered with by `tamper`. */
async function verifyAfter(
  pristine: string,
  tamper: (db: Database.Database) => void,
  extra: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const dir = tempDir("wf-audit-");
  copyFileSync(pristine, join(dir, "collector.db"));
  const db = new Database(join(dir, "collector.db"));
  tamper(db);
  db.close();
  const config = join(dir, "site.yaml");
  writeFileSync(config, `site: { name: audit }\ncollector:\n  dataDir: ${dir}\n  agents: [{ id: a, token: t }]\n`);
  const p = node("watchfloor.mjs", ["audit", "verify", "--config", config, ...extra]);
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
    entries = (await h.store.audit()).length;
    await h.app.close();
    h.store.sqlite!.close();
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

describe("the audit head anchored outside the store: KPI report, /metrics, audit verify --expect-head", () => {
  const dir = tempDir("wf-audit-anchor-");
  const pristine = join(dir, "collector.db");
  let entries = 0;
  /** The head as the client's KPI report showed it after the first two faults, and at the end. */
  let earlyHead = { seq: 0, hash: "" };
  let head = { seq: 0, hash: "" };
  let metrics = "";

  beforeAll(async () => {
    const h = await testCollector({ dbFile: pristine });
    for (let i = 0; i < 4; i++) {
      const f = await h.call("POST", "/api/v1/faults", h.tokens.engineer, { device: `seat-${i}`, class: "general", title: "黑屏" });
      const id = (f.body.fault as { id: string }).id;
      h.clock.advance(60_000);
      await h.call("POST", `/api/v1/faults/${id}/resolve`, h.tokens.engineer, {});
      if (i === 1) earlyHead = (await h.call("GET", "/api/v1/kpi", h.tokens.client_auditor)).body.audit_head as typeof head;
    }
    const kpi = await h.call("GET", "/api/v1/kpi", h.tokens.client_auditor);
    head = kpi.body.audit_head as typeof head;
    metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    entries = (await h.store.audit()).length;
    // Independent of the code under test: the newest row of the audit table as SQLite has it.
    const last = h.store.sqlite!.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as typeof head;
    expect(head).toEqual(last);
    await h.app.close();
    h.store.sqlite!.close();
  });

  it("the KPI API carries the head beside the figures, /metrics its length and a short hash (one series)", () => {
    expect(head.seq).toBe(entries);
    expect(head.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(earlyHead.seq).toBeLessThan(head.seq);
    expect(metrics).toMatch(new RegExp(`^watchfloor_audit_entries_total ${entries}$`, "m"));
    expect(metrics.match(/^watchfloor_audit_head_info\{/gm)).toHaveLength(1);
    expect(metrics).toMatch(new RegExp(`^watchfloor_audit_head_info\\{head="${head.hash.slice(0, 16)}"\\} 1$`, "m"));
  });

  it("an untouched trail verifies against the recorded head, the current one or an older one", async () => {
    const now = await verifyAfter(pristine, () => {}, ["--expect-head", head.hash]);
    expect(now.code, now.output).toBe(0);
    expect(now.output).toContain(`the recorded head is entry #${head.seq} (the head)`);
    const older = await verifyAfter(pristine, () => {}, ["--expect-head", `${earlyHead.seq}:${earlyHead.hash.slice(0, 16)}`]);
    expect(older.code, older.output).toBe(0);
    expect(older.output).toContain(`the recorded head is entry #${earlyHead.seq}, ${head.seq - earlyHead.seq} entries after it`);
  });

  const cutTail = (db: Database.Database) => {
    db.prepare("DELETE FROM audit WHERE seq > ?").run(entries - 3);
    db.prepare("DELETE FROM audit_head").run();
  };
  const cutTailMoveHead = (db: Database.Database) => {
    db.prepare("DELETE FROM audit WHERE seq > ?").run(entries - 3);
    db.prepare("UPDATE audit_head SET seq = seq - 3, hash = (SELECT hash FROM audit WHERE seq = ?)").run(entries - 3);
  };

  it("tail and head row deleted: plain verify cannot tell (that is why the head is kept elsewhere)…", async () => {
    const res = await verifyAfter(pristine, cutTail);
    expect(res.code).toBe(0);
  });

  for (const [what, tamper] of [
    ["tail and head row deleted", cutTail],
    ["tail deleted and the head row moved back to match", cutTailMoveHead],
  ] as const)
    it(`${what}: verify --expect-head with the head from the KPI report fails, saying so`, async () => {
      const res = await verifyAfter(pristine, tamper, ["--expect-head", head.hash]);
      expect(res.code).toBe(1);
      expect(res.output).toContain(
        `BROKEN: the head recorded elsewhere (${head.hash}) is not in the trail, which now ends at #${entries - 3} `,
      );
      expect(res.output).toContain("entries were cut off the end (with the head row) or the trail was rewritten");
      // The short hash from /metrics does the same.
      const short = await verifyAfter(pristine, tamper, ["--expect-head", head.hash.slice(0, 16)]);
      expect(short.code).toBe(1);
    });

  it("a malformed --expect-head is a usage error naming what was expected", async () => {
    const res = await verifyAfter(pristine, () => {}, ["--expect-head", "xyz"]);
    expect(res.code).toBe(2);
    expect(res.output).toContain("--expect-head xyz: expected a head hash (12 to 64 hex digits), optionally SEQ:HASH");
  });
});
