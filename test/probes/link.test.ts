import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeIcmp } from "../../agent/drivers/icmp/driver.ts";
import { icmpOptionsSchema } from "../../agent/drivers/icmp/options.ts";
import { probeTcp } from "../../agent/drivers/tcp/driver.ts";
import { tcpOptionsSchema } from "../../agent/drivers/tcp/options.ts";
import type { DeviceConfig } from "../../common/config/schema.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { freePort } from "../harness/ports.ts";
import { readingsOf, runOnce } from "../snmp/agent-once.ts";

/** Link probes on loopback: a TCP listener made here, and Debian's iputils ping against 127.0.0.1. */
function pingMissing(): string | undefined {
  try {
    execFileSync("ping", ["-n", "-q", "-c", "1", "-W", "1", "127.0.0.1"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "ping cannot run here (Debian package iputils-ping; net.ipv4.ping_group_range or cap_net_raw)";
  }
}

const at = (address: string) => ({ address }) as DeviceConfig;
const signal = () => new AbortController().signal;

describe("TCP connect probe on loopback", () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("a listening port: success and a connect time; over a 0 ms threshold it is degraded", async () => {
    const f = await probeTcp(at(`127.0.0.1:${port}`), tcpOptionsSchema.parse({}), signal());
    expect(f).toMatchObject({ success: 1, degraded: 0 });
    expect(f.duration).toBeGreaterThan(0);
    expect(f.duration).toBeLessThan(0.5);
    expect((await probeTcp(at(`127.0.0.1:${port}`), tcpOptionsSchema.parse({ rttThresholdMs: 0 }), signal())).degraded).toBe(1);
  });

  it("a closed port fails (connection refused), with no degraded verdict", async () => {
    const closed = await freePort();
    const f = await probeTcp(at(`127.0.0.1:${closed}`), tcpOptionsSchema.parse({}), signal());
    expect(f.success).toBe(0);
    expect(f.degraded).toBeUndefined();
  });
});

const skip = skipWithout(pingMissing(), "ICMP echo bursts with iputils ping");

describe.skipIf(skip)("ICMP echo bursts with iputils ping", () => {
  it("127.0.0.1 answers every request: loss 0, sub-millisecond round trips", async () => {
    const f = await probeIcmp(at("127.0.0.1"), icmpOptionsSchema.parse({ count: 3 }), signal());
    expect(f).toMatchObject({ success: 1, loss: 0, degraded: 0 });
    expect(f.rtt_avg).toBeGreaterThan(0);
    expect(f.rtt_avg).toBeLessThan(0.01);
    expect(f.rtt_max).toBeGreaterThanOrEqual(f.rtt_avg!);
  });

  it("a round trip over the threshold is degraded", async () => {
    const f = await probeIcmp(at("127.0.0.1"), icmpOptionsSchema.parse({ count: 2, rttThresholdMs: 0 }), signal());
    expect(f.degraded).toBe(1);
  });

  it("a name that does not resolve: nothing answered (success 0, loss 1)", async () => {
    const f = await probeIcmp(at("nonexistent.invalid"), icmpOptionsSchema.parse({ count: 1 }), signal());
    expect(f).toMatchObject({ success: 0, loss: 1 });
  });

  it("no ping binary: an error that names the fix, not a link down", async () => {
    await expect(probeIcmp(at("127.0.0.1"), icmpOptionsSchema.parse({ ping: "/nonexistent/ping" }), signal())).rejects.toThrow(
      /install iputils-ping.*driver tcp/,
    );
  });

  it("through the agent with the link-icmp and link-tcp profiles", async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    const { lines, stderr } = await runOnce([
      `  - { id: gw-extranet, name: 政务外网网关, class: link, driver: icmp, address: "127.0.0.1", profile: link-icmp, options: { count: 3 } }`,
      `  - { id: inet, name: 互联网出口, class: link, driver: tcp, address: "127.0.0.1:${port}", profile: link-tcp }`,
    ]);
    server.close();
    const icmp = lines.get("gw-extranet");
    expect(icmp?.up, stderr).toBe(true);
    expect(readingsOf(icmp, "probe_success")[0]?.value).toBe(1);
    expect(readingsOf(icmp, "probe_packet_loss_ratio")[0]?.value).toBe(0);
    expect(readingsOf(icmp, "probe_rtt_seconds")).toHaveLength(1);
    expect(icmp?.conditions).toContainEqual({ name: "link.down", labels: {}, state: "clear" });
    expect(readingsOf(lines.get("inet"), "probe_success")[0]?.value).toBe(1);
  });
});
