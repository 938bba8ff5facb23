import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "../../agent/agent.ts";
import { agentWith, conditionState, readingIn } from "../harness/agent-inproc.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { freePort } from "../harness/ports.ts";
import { freeUdpPort } from "../peers/snmpsim.ts";
import { type Sipp, sippMissing, startSipp } from "../peers/sipp.ts";

/**
 * The SIP OPTIONS probe through the agent (profile sip-trunk: trunk.down after 3 missed answers)
 * against Debian's sipp as the trunk, over UDP and TCP on loopback: answering, then silent, then back;
 * and answering 503, which is an answer (trunk.error), not silence.
 */
const skip = skipWithout(sippMissing(), "SIP OPTIONS probe against sipp");

const agentFor = (devices: Array<{ id: string; port: number; transport: "udp" | "tcp" }>) =>
  agentWith(
    devices.map(
      (d) =>
        `  - { id: ${d.id}, name: ${d.id}, class: trunk, criticality: high, driver: sip, address: "127.0.0.1:${d.port}", profile: sip-trunk, interval: 1h, timeout: 5s, options: { transport: ${d.transport}, timeoutMs: 400, retransmitMs: 100 } }`,
    ),
  );
const reading = readingIn;

describe.skipIf(skip)("SIP OPTIONS probe against sipp", () => {
  let agent: Agent;
  const ports = { udp: 0, tcp: 0, busy: 0 };
  const peers: Sipp[] = [];

  beforeAll(async () => {
    ports.udp = await freeUdpPort();
    ports.tcp = await freePort();
    ports.busy = await freeUdpPort();
    agent = await agentFor([
      { id: "trunk-udp", port: ports.udp, transport: "udp" },
      { id: "trunk-tcp", port: ports.tcp, transport: "tcp" },
      { id: "trunk-busy", port: ports.busy, transport: "udp" },
    ]);
  });

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await agent?.stop();
  });

  const state = (id: string, condition: string) => conditionState(agent, id, condition);

  it.each([
    ["trunk-udp", "udp", "u1"],
    ["trunk-tcp", "tcp", "t1"],
  ] as const)("%s: answered 200, then silent: trunk.down fires on the third missed answer, and clears when it answers again", async (id, kind, transport) => {
    let sipp = await startSipp({ port: ports[kind], transport, status: "200 OK" });
    peers.push(sipp);
    const first = await agent.pollNow(id);
    expect(reading(first, "sip_options_status_code")).toBe(200);
    expect(reading(first, "sip_options_answered")).toBe(1);
    expect(reading(first, "probe_success")).toBe(1);
    expect(reading(first, "probe_duration_seconds")).toBeLessThan(0.2);
    expect(state(id, "trunk.down")).toBe("clear");

    await sipp.stop();
    // For UDP a stopped sipp is silence; for TCP a refused connection. Both are a missed answer.
    for (const n of [1, 2]) {
      const r = await agent.pollNow(id);
      expect(reading(r, "sip_options_answered"), `poll ${n}`).toBe(0);
      expect(reading(r, "sip_options_status_code")).toBeUndefined();
      expect(state(id, "trunk.down")).toBe("clear");
    }
    await agent.pollNow(id);
    expect(state(id, "trunk.down")).toBe("firing");

    // Its port open but it never answers: still down (a true timeout).
    sipp = await startSipp({ port: ports[kind], transport, status: null });
    peers.push(sipp);
    const t0 = Date.now();
    expect(reading(await agent.pollNow(id), "sip_options_answered")).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(state(id, "trunk.down")).toBe("firing");
    await sipp.stop();

    sipp = await startSipp({ port: ports[kind], transport, status: "200 OK" });
    peers.push(sipp);
    expect(reading(await agent.pollNow(id), "sip_options_status_code")).toBe(200);
    expect(state(id, "trunk.down")).toBe("clear");
  });

  it("a trunk answering 503 is told apart from silence: trunk.error, never trunk.down", async () => {
    peers.push(await startSipp({ port: ports.busy, transport: "u1", status: "503 Service Unavailable" }));
    for (let i = 0; i < 3; i++) {
      const r = await agent.pollNow("trunk-busy");
      expect(reading(r, "sip_options_status_code")).toBe(503);
      expect(reading(r, "sip_options_answered")).toBe(1);
      expect(reading(r, "probe_success")).toBe(0);
    }
    expect(state("trunk-busy", "trunk.error")).toBe("firing");
    expect(state("trunk-busy", "trunk.down")).toBe("clear");
  });
});
