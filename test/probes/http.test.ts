import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceConfig } from "../../common/config/schema.ts";
import { probeHttp } from "../../agent/drivers/http/driver.ts";
import { httpOptionsSchema } from "../../agent/drivers/http/options.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { makeCert, opensslMissing, type TestCert } from "../peers/tls-cert.ts";
import { readingsOf, runOnce } from "../snmp/agent-once.ts";

/**
 * The HTTP(S) probe against node's own HTTPS server on loopback, with a certificate Debian's openssl
 * makes for the test that expires in 5 days; the expected expiry is what openssl prints, not what the
 * probe computes.
 */
const skip = skipWithout(opensslMissing(), "HTTP(S) probe against a local TLS server");
const DAY = 86_400;

describe.skipIf(skip)("HTTP(S) probe against a local TLS server", () => {
  let cert: TestCert;
  let server: Server;
  let base = "";

  beforeAll(async () => {
    cert = makeCert(5);
    server = createHttpsServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      if (req.url === "/health") res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","queue":{"depth":[3,0]}}');
      else if (req.url === "/degraded") res.writeHead(200).end('{"status":"degraded"}');
      else if (req.url === "/busy") res.writeHead(503).end("busy");
      else if (req.url === "/hang") return; // never answers
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  const probe = (path: string, options: Record<string, unknown>) =>
    probeHttp({ address: `${base}${path}` } as DeviceConfig, httpOptionsSchema.parse(options), new AbortController().signal);

  it("a healthy endpoint trusted through its CA: success, status 200, JSON assertion, days left as openssl says", async () => {
    const f = await probe("/health", { tls: { ca: cert.certFile }, json: { path: "queue.depth[0]", equals: 3 } });
    expect(f).toMatchObject({ success: 1, status: 200, assertion: 1 });
    expect(Math.abs(f.cert_remaining! - (cert.notAfter - Date.now()) / 1000)).toBeLessThan(5);
    expect(f.cert_remaining! / DAY).toBeGreaterThan(4.9);
    expect(f.duration).toBeGreaterThan(0);
  });

  it("an assertion that fails makes the probe fail though the status is 200", async () => {
    const json = await probe("/degraded", { tls: { ca: cert.certFile }, json: { path: "$.status", equals: "ok" } });
    expect(json).toMatchObject({ success: 0, status: 200, assertion: 0 });
    const text = await probe("/health", { tls: { ca: cert.certFile }, text: '"status":"ok"' });
    expect(text).toMatchObject({ success: 1, assertion: 1 });
  });

  it("a 503 fails with its status; an expected status list can accept it", async () => {
    expect(await probe("/busy", { tls: { ca: cert.certFile } })).toMatchObject({ success: 0, status: 503 });
    expect(await probe("/busy", { tls: { ca: cert.certFile }, expectStatus: [503] })).toMatchObject({ success: 1 });
  });

  it("an untrusted certificate fails the probe but its days left are still read", async () => {
    const f = await probe("/health", {});
    expect(f.success).toBe(0);
    expect(f.status).toBeUndefined();
    expect(Math.round(f.cert_remaining! / DAY)).toBe(5);
  });

  it("a server that never answers fails within the timeout", async () => {
    const t0 = Date.now();
    const f = await probe("/hang", { tls: { ca: cert.certFile }, timeoutMs: 300 });
    expect(f.success).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("through the agent and the http-service profile: readings, and tls.certificate_expiring fires (5 days < 14)", async () => {
    const { lines, stderr } = await runOnce([
      `  - { id: sms-gw, name: SMS gateway, class: sms, driver: http, address: "${base}/health", profile: http-service, options: { tls: { ca: "${cert.certFile}" }, json: { path: status, equals: ok } } }`,
    ]);
    const line = lines.get("sms-gw");
    expect(line?.up, stderr).toBe(true);
    expect(readingsOf(line, "probe_success")[0]?.value).toBe(1);
    expect(readingsOf(line, "http_response_status_code")[0]?.value).toBe(200);
    expect(readingsOf(line, "probe_assertion_ok")[0]?.value).toBe(1);
    expect(line?.conditions).toContainEqual({ name: "tls.certificate_expiring", labels: {}, state: "firing" });
    expect(line?.conditions).toContainEqual({ name: "service.down", labels: {}, state: "clear" });
  });
});
