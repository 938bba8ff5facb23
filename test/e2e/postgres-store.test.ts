/**
 * The collector process on a real PostgreSQL (collector.store: {kind: postgres}): it migrates the
 * database, takes events, and the admin commands read the same database; a PostgreSQL it cannot reach
 * stops it at start with one line naming host, port and database — never the password in the URL.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareSite } from "../harness/bare-site.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { freePort } from "../harness/ports.ts";
import { PostgresServer, postgresMissing } from "../harness/postgres.ts";
import { node, ROOT, tempDir } from "../harness/process.ts";

const TOKEN = "pg-store-test-token";
const pgMissing = postgresMissing();

/** The URL comes from the environment, as a deployment keeps it out of the file. */
const STORE_SECTION = `  store: { kind: postgres, url: "\${env:WATCHFLOOR_PG_URL}" }\n  listen: "127.0.0.1:0"\n`;

function watchfloor(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [join(ROOT, "bin", "watchfloor.mjs"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

describe.skipIf(skipWithout(pgMissing, "collector on PostgreSQL"))("the collector with collector.store on PostgreSQL", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it("migrates the database, ingests a batch, and `audit verify` and `user add` work on the same database", async () => {
    const url = await server.createDatabase("e2e");
    const site = bareSite(tempDir("wf-pg-e2e-"), { collectorExtra: STORE_SECTION });
    const env = { WATCHFLOOR_AGENT_TOKEN: TOKEN, WATCHFLOOR_PG_URL: url };
    const collector = node("watchfloor-collector.mjs", ["--config", site], { env });
    try {
      const [, base] = await collector.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 30_000);
      const at = new Date(Date.now() - 60_000).toISOString();
      const res = await fetch(`${base}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          agent: "a1",
          events: [{ id: "evt-pg-e2e-0001", type: "condition", device: "ups-1", condition: "ups.on_battery", state: "firing", observedAt: at }],
        }),
      });
      expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
      expect(collector.output).toContain('"store":"postgres"');
    } finally {
      await collector.stop();
    }
    const added = watchfloor(["user", "add", "li.lei", "--role", "engineer", "--config", site], env);
    expect(added.status, added.stderr).toBe(0);
    const verify = watchfloor(["audit", "verify", "--config", site], env);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok: [1-9]\d* audit entries, hash chain intact; head [0-9a-f]{64}\n$/);
    // The SQLite file tools refuse a PostgreSQL store and say what to use instead.
    const backup = watchfloor(["store", "backup", "--config", site, "--out", join(tempDir("wf-pg-bak-"), "b.db")], env);
    expect(backup.status).toBe(2);
    expect(backup.stderr).toContain("pg_dump");
  }, 90_000);
});

describe("a PostgreSQL store that cannot be reached", () => {
  it("stops the collector at start: exit 1, host, port and database named, the password never printed", async () => {
    const port = await freePort();
    const url = `postgresql://watchfloor:s3cret-pg-password@127.0.0.1:${port}/watchfloor`;
    const site = bareSite(tempDir("wf-pg-down-"), { collectorExtra: STORE_SECTION });
    const collector = node("watchfloor-collector.mjs", ["--config", site], {
      env: { WATCHFLOOR_AGENT_TOKEN: TOKEN, WATCHFLOOR_PG_URL: url },
    });
    let stderr = "";
    collector.child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((r) => collector.child.once("exit", r));
    expect(code).toBe(1);
    expect(stderr).toContain(`refusing to start: postgresql://127.0.0.1:${port}/watchfloor: cannot connect to PostgreSQL`);
    expect(stderr + collector.output).not.toContain("s3cret-pg-password");
  }, 30_000);

  it("check-config names the YAML path and what was expected for a bad store section", () => {
    const dir = tempDir("wf-pg-cfg-");
    const site = bareSite(dir, { collectorExtra: `  store: { kind: mysql }\n` });
    const out = watchfloor(["check-config", site], { WATCHFLOOR_AGENT_TOKEN: TOKEN });
    expect(out.status).toBe(1);
    expect(out.stdout + out.stderr).toContain(
      `${join(dir, "site.yaml")}:9:18: collector.store.kind: "mysql" is not a known kind: expected one of "sqlite", "postgres"`,
    );
  });
});
