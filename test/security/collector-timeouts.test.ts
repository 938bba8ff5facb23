/**
 * The collector's port against clients that hold sockets: request headers dribbled a byte at a time
 * (slowloris), an ingest body sent a few bytes at a time and never finished, a connection that says
 * nothing. Each is a plain TCP client on loopback doing exactly that against the real collector (its
 * timeouts shortened so the test takes seconds); meanwhile /healthz and the API answer.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollectorServerTimeouts } from "../../collector/http/server.ts";
import { floorInventory, SERVER_AGENT_TOKEN, startCollectorServer } from "../harness/collector-server.ts";
import { tempDir } from "../harness/process.ts";
import { rawClient as rawTcp, within } from "../harness/raw-tcp.ts";

const TIMEOUTS: CollectorServerTimeouts = { headersMs: 800, requestMs: 1_500, keepAliveMs: 500 };

let collector: Awaited<ReturnType<typeof startCollectorServer>>;
let port = 0;
const sockets: Array<() => Promise<void>> = [];

beforeAll(async () => {
  collector = await startCollectorServer({
    dbFile: join(tempDir("wf-timeouts-"), "collector.db"),
    inventory: floorInventory(1, 1),
    serverTimeouts: TIMEOUTS,
  });
  port = Number(new URL(collector.url).port);
});
afterAll(async () => {
  for (const destroy of sockets) await destroy();
  await collector?.close();
});

const rawClient = () => rawTcp(port, (destroy) => void sockets.push(destroy));

/** The API answers while the slow clients hang on. */
async function apiAnswers(): Promise<void> {
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  const faults = await fetch(`${collector.url}/api/v1/faults`, { headers: { authorization: `Bearer ${collector.token}` } });
  expect(faults.status).toBe(200);
}

describe("collector: clients that hold sockets are cut off", () => {
  it("slowloris: headers dribbled a byte every 100 ms are cut at the headers timeout with a 408", async () => {
    const loris = Array.from({ length: 5 }, () => rawClient());
    for (const l of loris) l.socket.write("GET /api/v1/faults HTTP/1.1\r\nHost: collector\r\nX-Slow: ");
    const dribble = setInterval(() => {
      for (const l of loris) if (!l.socket.destroyed && !l.received()) l.socket.write("X");
    }, 100);
    try {
      await apiAnswers();
      for (const l of loris) {
        const after = await within(l.closedAfter, 5_000, "slowloris connection");
        // Not before the headers timeout; no later than it plus node's checking period (200 ms) and slack.
        expect(after).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
        expect(after).toBeLessThan(TIMEOUTS.headersMs + 2_000);
        expect(l.received()).toMatch(/^HTTP\/1\.1 408 /);
      }
    } finally {
      clearInterval(dribble);
    }
  });

  it("an ingest body promised at 100 KB and sent 10 bytes every 100 ms is cut at the request timeout; a whole batch after it is taken", async () => {
    const slow = rawClient();
    slow.socket.write(
      `POST /api/v1/events HTTP/1.1\r\nHost: collector\r\nAuthorization: Bearer ${SERVER_AGENT_TOKEN}\r\n` +
        "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n" +
        '{"agent":"agent-1","events":[',
    );
    const dribble = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write("          ");
    }, 100);
    try {
      await apiAnswers();
      const after = await within(slow.closedAfter, 6_000, "slow body");
      expect(after).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
      expect(after).toBeLessThan(TIMEOUTS.requestMs + 2_000);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(dribble);
    }
    // A whole batch afterwards is taken as usual.
    const ok = await collector.postEvents([
      { id: "timeouts-heartbeat-1", type: "heartbeat", at: new Date().toISOString(), interval: 30 },
    ]);
    expect(ok).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it("a connection that sends nothing is closed", async () => {
    const silent = rawClient();
    const after = await within(silent.closedAfter, 5_000, "silent connection");
    expect(after).toBeLessThan(TIMEOUTS.headersMs + 2_000);
  });
});
