/**
 * Two real collector processes, active and standby, on one real PostgreSQL, paging to a local webhook
 * receiver; for the SIGKILL failover test (test/e2e/ha-failover.test.ts) and `npm run bench:failover`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { stringify } from "yaml";
import { notifications } from "../paging/harness.ts";
import { Receiver } from "../paging/receiver.ts";
import { PostgresServer } from "./postgres.ts";
import { freePort } from "./ports.ts";
import { node, type Proc, tempDir, until } from "./process.ts";
import { startNginx } from "../peers/nginx.ts";

export const HA_AGENT_TOKEN = "agent-token-for-the-ha-pair";

export interface HaPairOptions {
  heartbeatSeconds: number;
  failoverSeconds: number;
  /** The webhook answers this much later (a page is in flight longer, so a kill can catch one). */
  pageDelayMs?: number;
  /** A cluster of the pair's own even when WATCHFLOOR_TEST_PG_URL names one (the test stops it). */
  ownPostgres?: boolean;
}

export type HaNode = { id: string; proc: Proc; url: string };


/**
 * nginx in front of both collectors with deploy/README.md's upstream and location block (plain HTTP
 * here), the standby listed first: requests reach the active past the standby's 503.
 */
export async function startProxy(first: HaNode, second: HaNode): Promise<{ url: string; stop: () => Promise<unknown> }> {
  const dir = tempDir("wf-ha-proxy-");
  const port = await freePort();
  const hostPort = (n: HaNode) => new URL(n.url).host;
  const nginx = startNginx(
    dir,
    `  upstream watchfloor {
    server ${hostPort(first)} max_fails=1 fail_timeout=5s;
    server ${hostPort(second)} max_fails=1 fail_timeout=5s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://watchfloor;
      proxy_next_upstream error timeout http_503 non_idempotent;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`,
  );
  const url = `http://127.0.0.1:${port}`;
  await until("nginx up", async () => (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) || undefined, 15_000);
  return { url, stop: () => nginx.stop() };
}

export async function startHaPair(opts: HaPairOptions) {
  const postgres = await PostgresServer.start({ own: opts.ownPostgres });
  const dbUrl = await postgres.createDatabase("wf_ha");
  const receiver = new Receiver();
  receiver.delayMs = opts.pageDelayMs ?? 0;
  const hook = await receiver.start();
  const dir = tempDir("wf-ha-");
  // Every device.unreachable is major and pages the on-call engineer at once (one page per group).
  writeFileSync(join(dir, "policy.yaml"), stringify({ classification: { rules: [{ match: { condition: "device.unreachable" }, class: "major" }] } }));
  writeFileSync(
    join(dir, "notifications.yaml"),
    stringify(notifications({ hook }, { major: { steps: [{ after: 0, notify: ["oncall"] }], breach: ["oncall"] } })),
  );
  const env = { WATCHFLOOR_AGENT_TOKEN: HA_AGENT_TOKEN, WF_PG_URL: dbUrl, WATCHFLOOR_LOG_LEVEL: "info" };
  const site = (id: string) => {
    const file = join(dir, `${id}.yaml`);
    writeFileSync(
      file,
      `site: { name: ha pair, timezone: Asia/Shanghai }
collector:
  dataDir: ${join(dir, id)}
  store: { kind: postgres, url: "\${env:WF_PG_URL}" }
  agents: [{ id: agent-1, token: "\${env:WATCHFLOOR_AGENT_TOKEN}" }]
  policy: policy.yaml
  notifications: notifications.yaml
  publicUrl: https://watchfloor.example.gov.cn
  ha: { nodeId: ${id}, heartbeatSeconds: ${opts.heartbeatSeconds}, failoverSeconds: ${opts.failoverSeconds} }
`,
    );
    return file;
  };
  const start = async (id: string): Promise<HaNode> => {
    const proc = node("watchfloor-collector.mjs", ["--config", site(id), "--listen", "127.0.0.1:0"], { env });
    const m = await proc.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 60_000);
    return { id, proc, url: m[1]! };
  };
  const role = async (n: HaNode): Promise<string | undefined> => {
    const res = await fetch(`${n.url}/healthz`).catch(() => undefined);
    return res ? ((await res.json()) as { cluster?: { role: string } }).cluster?.role : undefined;
  };
  const a = await start("collector-a");
  await until("collector-a active", async () => (await role(a)) === "active" || undefined, 30_000);
  const b = await start("collector-b");
  await until("collector-b standby", async () => (await role(b)) === "standby" || undefined, 30_000);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  // The test may stop the server under it: a dropped connection is not an uncaught exception.
  db.on("error", () => {});
  return {
    a,
    b,
    dbUrl,
    postgres,
    env,
    /** The site file a node runs. */
    configOf: (n: HaNode) => join(dir, `${n.id}.yaml`),
    receiver,
    role,
    /** Condition event ids stored in the shared database. */
    async storedIds(): Promise<string[]> {
      return (await db.query<{ id: string }>("SELECT id FROM events WHERE type = 'condition'")).rows.map((r) => r.id);
    },
    async query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
      return (await db.query<R>(text)).rows;
    },
    async stop() {
      await Promise.all([a.proc.stop(), b.proc.stop()]);
      await db.end().catch(() => undefined);
      await receiver.close();
      await postgres.stop();
    },
  };
}

export type HaPair = Awaited<ReturnType<typeof startHaPair>>;

/** A storm: `devices` devices unreachable at once, as the agent's outbox would hold them. */
export function stormEvents(devices: number, at: number) {
  return Array.from({ length: devices }, (_, i) => ({
    id: `agent-1-storm-${String(i).padStart(5, "0")}`,
    type: "condition" as const,
    device: `term-${i}`,
    condition: "device.unreachable",
    labels: {},
    state: "firing" as const,
    observedAt: new Date(at + (i % 7) * 1000).toISOString(),
  }));
}

/** Each page the receiver got, as person + kind + fault ids: two equal keys are one page doubled. */
export function pageKeys(receiver: Receiver): string[] {
  return receiver.requests.map((r) => {
    const body = JSON.parse(r.body) as { kind: string; person: { id: string }; faults: Array<{ id: string }> };
    return `${body.person.id}|${body.kind}|${body.faults.map((f) => f.id).sort().join(",")}`;
  });
}
