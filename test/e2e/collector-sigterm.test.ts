import http from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareSite } from "../harness/bare-site.ts";
import { HA_AGENT_TOKEN, type HaNode, type HaPair, startHaPair, stormEvents } from "../harness/ha-pair.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { postgresMissing } from "../harness/postgres.ts";
import { node, type Proc, tempDir, until } from "../harness/process.ts";

/**
 * A collector stops promptly on SIGTERM (systemd would SIGKILL it after TimeoutStopSec): with the web
 * board's live stream (GET /ui/events, server-sent events) open, and with its PostgreSQL gone
 * (`pg_ctl stop -m immediate` of a real server), losing nothing it acknowledged.
 */
const PROMPT_MS = 10_000;

/** Sends SIGTERM; resolves with the exit code and the milliseconds it took, or null code on time-out. */
function sigterm(proc: Proc): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.child.kill("SIGKILL");
    }, PROMPT_MS + 5_000);
    proc.child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: performance.now() - t0 });
    });
    proc.child.kill("SIGTERM");
  });
}

/** Logs in with an API token and opens the board's live stream; resolves once the first event came. */
async function openLiveStream(url: string, token: string): Promise<{ ended: Promise<void>; close: () => void }> {
  const login = await fetch(`${url}/ui/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(login.status).toBe(303);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(`${url}/ui/events`, { headers: { cookie } }, resolve).on("error", reject),
  );
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("text/event-stream");
  await new Promise((r) => res.once("data", r));
  const ended = new Promise<void>((r) => {
    res.on("end", r);
    res.on("close", r);
    res.on("error", () => r());
  });
  res.resume();
  return { ended, close: () => res.destroy() };
}

async function addAdmin(config: string, env: NodeJS.ProcessEnv): Promise<string> {
  const add = node("watchfloor.mjs", ["user", "add", "sigterm-admin", "--role", "admin", "--config", config], { env });
  const token = (await add.waitFor(/^(wf_\S+)$/m, 60_000))[1]!;
  await add.stop();
  return token;
}

describe("SIGTERM: a SQLite collector with the board's live stream open", () => {
  it("exits 0 within 10 s, logs that it stopped, and the stream ends", async () => {
    const dir = tempDir("wf-sigterm-");
    const env = { WATCHFLOOR_AGENT_TOKEN: "sigterm-test-token", WATCHFLOOR_LOG_LEVEL: "info" };
    const site = bareSite(dir);
    const proc = node("watchfloor-collector.mjs", ["--config", site, "--listen", "127.0.0.1:0"], { env });
    try {
      const url = (await proc.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 60_000))[1]!;
      const live = await openLiveStream(url, await addAdmin(site, env));
      const stop = await sigterm(proc);
      expect(stop, proc.output.slice(-2000)).toMatchObject({ code: 0, signal: null });
      expect(stop.ms).toBeLessThan(PROMPT_MS);
      expect(proc.output).toContain('"msg":"collector stopped"');
      await live.ended;
      live.close();
      console.log(`sqlite collector, live stream open: exited 0 ${Math.round(stop.ms)} ms after SIGTERM`);
    } finally {
      await proc.stop("SIGKILL");
    }
  }, 120_000);
});

const missing = postgresMissing();

const postEvents = (n: HaNode, events: unknown[]) =>
  fetch(`${n.url}/api/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${HA_AGENT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ agent: "agent-1", events }),
  });
const postBatch = (n: HaNode, id: string) =>
  postEvents(n, [{ id, type: "condition", device: "term-1", condition: "device.unreachable", labels: {}, state: "firing", observedAt: new Date().toISOString() }]);

/**
 * A batch held in its handler by a real lock: this client holds the events table, so the ingest's
 * insert waits in PostgreSQL (pg_stat_activity shows it) until release() commits.
 */
async function batchHeldByLock(pair: HaPair, n: HaNode, events: unknown[]) {
  const locker = new pg.Client({ connectionString: pair.dbUrl });
  locker.on("error", () => {});
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
  const answered = postEvents(n, events).then((r) => r.status, () => "no answer");
  await until(
    "the batch waiting on the lock",
    async () => (await pair.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%events%'")).length > 0 || undefined,
    30_000,
    20,
  );
  return {
    answered,
    release: () => locker.query("COMMIT").then(() => locker.end(), () => locker.end().catch(() => undefined)),
  };
}


describe.skipIf(skipWithout(missing, "collector SIGTERM on PostgreSQL"))("SIGTERM: HA collectors on PostgreSQL", () => {
  let pair: HaPair;
  let token: string;
  beforeAll(async () => {
    pair = await startHaPair({ heartbeatSeconds: 1, failoverSeconds: 10, ownPostgres: true });
    token = await addAdmin(pair.configOf(pair.a), pair.env);
  }, 180_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it("database up: the active exits 0 within 10 s with the stream open and a batch in its handler; frees the lease, keeps what it acknowledged", async () => {
    const live = await openLiveStream(pair.a.url, token);
    const batch = stormEvents(1000, Date.now() - 60_000);
    const held = await batchHeldByLock(pair, pair.a, batch);
    const t0 = performance.now();
    const stopping = sigterm(pair.a.proc);
    await pair.a.proc.waitFor(/"msg":"collector stopping"/, 10_000);
    await held.release();
    // The batch is answered (200: committed) and its kept-alive connection does not hold the stop.
    expect(await held.answered).toBe(200);
    const stop = await stopping;
    expect(stop, pair.a.proc.output.slice(-2000)).toMatchObject({ code: 0, signal: null });
    expect(stop.ms).toBeLessThan(PROMPT_MS);
    expect(pair.a.proc.output).toContain('"msg":"collector stopped"');
    await live.ended;
    live.close();
    // The lease was freed at stop (nodes table: stopped), so b takes over; the acknowledged batch is stored.
    expect((await pair.query<{ role: string }>("SELECT role FROM cluster_nodes WHERE node = 'collector-a' ORDER BY last_heartbeat DESC LIMIT 1"))[0]?.role).toBe("stopped");
    await until("b active", async () => (await pair.role(pair.b)) === "active" || undefined, 30_000);
    const stored = new Set(await pair.storedIds());
    expect(batch.filter((e) => !stored.has(e.id))).toEqual([]);
    console.log(`postgres up, live stream open, a 1000-event batch answered 200 during the stop: exited 0 ${Math.round(stop.ms)} ms after SIGTERM (${Math.round(performance.now() - t0)} ms incl. the held lock)`);
  }, 120_000);

  it("database stopped (pg_ctl stop -m immediate) under a batch in its handler: the active exits within 10 s with a log line, the batch is not acknowledged", async () => {
    expect((await postBatch(pair.b, "agent-1-acknowledged")).status).toBe(200);
    const live = await openLiveStream(pair.b.url, token);
    const held = await batchHeldByLock(pair, pair.b, [{ id: "agent-1-unanswered", type: "condition", device: "term-2", condition: "device.unreachable", labels: {}, state: "firing", observedAt: new Date().toISOString() }]);
    const stopping = sigterm(pair.b.proc);
    await pair.b.proc.waitFor(/"msg":"collector stopping"/, 10_000);
    pair.postgres.kill();
    void held.release();
    const stop = await stopping;
    const log = pair.b.proc.output;
    expect(stop.signal, log.slice(-3000)).toBeNull();
    expect(stop.ms).toBeLessThan(PROMPT_MS);
    expect(log).toMatch(/"msg":"collector (stopped|stop deadline passed: abandoning pending store work[^"]*)"/);
    // Not acknowledged: the agent keeps it in its outbox and sends it again. A server gone mid-query is
    // the store's condition (503), never a 500 an agent may take as being about its batch.
    expect([503, "no answer"]).toContain(await held.answered);
    await live.ended;
    live.close();
    console.log(`postgres stopped under a batch in its handler, live stream open: exit ${stop.code} ${Math.round(stop.ms)} ms after SIGTERM, batch answered ${await held.answered}`);
  }, 120_000);
});

describe.skipIf(skipWithout(missing, "collector SIGTERM on a hung PostgreSQL"))("SIGTERM: an HA collector whose PostgreSQL hangs", () => {
  let pair: HaPair;
  beforeAll(async () => {
    pair = await startHaPair({ heartbeatSeconds: 1, failoverSeconds: 10, ownPostgres: true });
  }, 180_000);
  afterAll(async () => {
    pair?.postgres.freeze("SIGCONT");
    await pair?.stop();
  });

  it("server SIGSTOPped under a batch in its handler: the stop gives up at its deadline, says so, and exits within 10 s", async () => {
    const held = await batchHeldByLock(pair, pair.a, stormEvents(10, Date.now()));
    pair.postgres.freeze("SIGSTOP");
    const stop = await sigterm(pair.a.proc);
    const log = pair.a.proc.output;
    expect(stop, log.slice(-3000)).toMatchObject({ code: 1, signal: null });
    expect(stop.ms).toBeLessThan(PROMPT_MS);
    expect(log).toContain('"msg":"collector stop deadline passed: abandoning pending store work');
    expect(log).toContain('"deadlineMs":7000');
    // Not acknowledged: the connection was closed under it; the agent sends it again.
    expect(await held.answered).not.toBe(200);
    void held.release();
    console.log(`postgres hung (SIGSTOP) under a batch in its handler: exit ${stop.code} ${Math.round(stop.ms)} ms after SIGTERM, batch: ${await held.answered}`);
  }, 120_000);
});
