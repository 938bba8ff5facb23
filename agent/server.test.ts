/**
 * The agent's /metrics server against clients that hold sockets: a slowloris (request headers a byte
 * at a time, never finished), a connection that says nothing, and a reader that stops reading a large
 * page. Each is a plain TCP client on loopback doing exactly that (no mock: the server is the real one,
 * with its timeouts shortened so the test takes seconds). A normal scrape meanwhile gets the whole page.
 */
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { rawClient, within } from "../test/harness/raw-tcp.ts";
import { AgentMetrics } from "./metrics.ts";
import { type AgentServerTimeouts, buildAgentServer } from "./server.ts";

const TIMEOUTS: AgentServerTimeouts = { headersMs: 800, requestMs: 1_000, idleMs: 4_000, responseMs: 2_500, keepAliveMs: 500 };

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** An agent /metrics server with `devices` × `ports` interface readings (ports × 90 bytes per device, roughly). */
async function agentServer(devices: number, ports: number) {
  const registry = new Registry();
  const metrics = new AgentMetrics(registry);
  for (let d = 0; d < devices; d++) {
    const readings = Array.from({ length: ports }, (_, p) => ({
      name: "if_in_octets_total",
      labels: { ifname: `GigabitEthernet1/0/${p}`, ifalias: `seat ${p}` },
      value: d * 1e6 + p,
    }));
    metrics.deviceUp.set({ device: `sw-${d}` }, 1);
    metrics.setReadings(`sw-${d}`, readings);
  }
  const server = buildAgentServer({ registry, readings: metrics.readings, health: () => ({}), timeouts: TIMEOUTS });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  closers.push(() => server.close());
  return { url, port: Number(new URL(url).port) };
}

const tcpClient = (port: number) => rawClient(port, (destroy) => void closers.push(destroy));

describe("agent /metrics server: clients that hold sockets are cut off", () => {
  it("slowloris: headers dribbled a byte every 100 ms are cut at the headers timeout with a 408; a scrape meanwhile gets the page", async () => {
    const { url, port } = await agentServer(3, 10);
    const loris = Array.from({ length: 3 }, () => tcpClient(port));
    const dribble = setInterval(() => {
      for (const l of loris) if (!l.socket.destroyed) l.socket.write(l.received() ? "" : "X");
    }, 100);
    for (const l of loris) l.socket.write("GET /metrics HTTP/1.1\r\nHost: agent\r\nX-Slow: ");
    try {
      // While they hang on, Prometheus's scrape is answered in full.
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('watchfloor_if_in_octets_total{device="sw-2",ifname="GigabitEthernet1/0/9",ifalias="seat 9"} 2000009');
      expect(page).toContain('watchfloor_device_up{device="sw-0"} 1');
      for (const l of loris) {
        const after = await within(l.closedAfter, 5_000, "slowloris connection");
        // Not before the headers timeout; no later than it plus node's checking period (200 ms here) and slack.
        expect(after).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
        expect(after).toBeLessThan(TIMEOUTS.headersMs + 1_500);
        expect(l.received()).toMatch(/^HTTP\/1\.1 408 /);
      }
    } finally {
      clearInterval(dribble);
    }
  });

  it("a connection that sends nothing is closed", async () => {
    const { port } = await agentServer(1, 1);
    const silent = tcpClient(port);
    const after = await within(silent.closedAfter, 5_000, "silent connection");
    // The headers timeout covers a request that never began.
    expect(after).toBeLessThan(TIMEOUTS.headersMs + 1_500);
    expect(silent.bytes()).toBeLessThan(200);
  });

  it("a reader that stops reading a large page is cut off at the response deadline; the page is not held", async () => {
    // ~100 × 1,200 lines of ~95 bytes: more than loopback's socket buffers (up to 4 MB sending, and
    // what the receiver's window grew to) take without a read.
    const { url, port } = await agentServer(100, 1_200);
    const full = Buffer.byteLength(await (await fetch(`${url}/metrics`)).text());
    expect(full).toBeGreaterThan(10_000_000);
    const stuck = tcpClient(port);
    stuck.socket.write("GET /metrics HTTP/1.1\r\nHost: agent\r\n\r\n");
    stuck.socket.pause();
    // Reads nothing for longer than the deadline, then drains what the kernel held.
    await new Promise((r) => setTimeout(r, TIMEOUTS.responseMs + 500));
    stuck.socket.resume();
    const after = await within(stuck.closedAfter, 5_000, "stalled reader");
    expect(after).toBeGreaterThanOrEqual(TIMEOUTS.responseMs);
    expect(stuck.received()).toMatch(/^HTTP\/1\.1 200 /);
    // Cut off part-way: the chunked page never got its end.
    expect(stuck.bytes()).toBeLessThan(full);
    // And a scrape after it is served as before.
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it("a kept-alive connection idle between scrapes is closed after the keep-alive timeout", async () => {
    const { port } = await agentServer(1, 1);
    const client = tcpClient(port);
    client.socket.write("GET /healthz HTTP/1.1\r\nHost: agent\r\n\r\n");
    const after = await within(client.closedAfter, 5_000, "kept-alive connection");
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    // node waits a second more than keepAliveTimeout (its buffer for clients racing the close); far
    // short of the idle timeout.
    expect(after).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveMs - 50);
    expect(after).toBeLessThan(TIMEOUTS.keepAliveMs + 1_000 + 500);
  });
});
