import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeSip } from "../../agent/drivers/sip/driver.ts";
import { sipOptionsSchema } from "../../agent/drivers/sip/options.ts";
import type { DeviceConfig } from "../../common/config/schema.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { type Kamailio, kamailioMissing, startKamailio } from "../peers/kamailio.ts";
import { makeCert, opensslMissing, type TestCert } from "../peers/tls-cert.ts";

/**
 * SIP OPTIONS over TLS and with digest authentication against Debian's kamailio on loopback: the
 * trunk challenges (401, qop=auth) and answers 200 only to the right password.
 */
const skip = skipWithout(kamailioMissing() ?? opensslMissing(), "SIP TLS and digest against kamailio");
const PASSWORD = "trunkpass123";

describe.skipIf(skip)("SIP TLS and digest against kamailio", () => {
  let kamailio: Kamailio;
  let cert: TestCert;

  beforeAll(async () => {
    cert = makeCert(30);
    kamailio = await startKamailio(cert, PASSWORD);
  }, 30_000);
  afterAll(async () => {
    await kamailio?.stop();
  });

  const probe = (port: number, options: Record<string, unknown>) =>
    probeSip({ address: `127.0.0.1:${port}` } as DeviceConfig, sipOptionsSchema.parse({ timeoutMs: 1000, ...options }), new AbortController().signal);

  it.each(["udp", "tcp"] as const)("%s: without credentials the challenge is the answer (401: answered, not success)", async (transport) => {
    expect(await probe(kamailio.port, { transport })).toMatchObject({ answered: 1, status: 401, success: 0 });
  });

  it.each(["udp", "tcp"] as const)("%s: the right password answers the challenge: 200", async (transport) => {
    expect(await probe(kamailio.port, { transport, username: "12345", password: PASSWORD })).toMatchObject({ answered: 1, status: 200, success: 1 });
  });

  it("a wrong password is refused (401 again), which is an answer, not silence", async () => {
    expect(await probe(kamailio.port, { username: "12345", password: "wrongpass999" })).toMatchObject({ answered: 1, status: 401, success: 0 });
  });

  it("TLS with the trunk's CA and digest: 200", async () => {
    const f = await probe(kamailio.tlsPort, { transport: "tls", tls: { ca: cert.certFile }, username: "12345", password: PASSWORD });
    expect(f).toMatchObject({ answered: 1, status: 200, success: 1 });
  });

  it("TLS to a certificate it does not trust: no answer (the handshake fails)", async () => {
    expect(await probe(kamailio.tlsPort, { transport: "tls" })).toMatchObject({ answered: 0, success: 0 });
  });
});
