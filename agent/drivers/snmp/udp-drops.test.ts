import { execFileSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { Writable } from "node:stream";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { startTrapReceiver } from "./traps.ts";
import { udpDrops } from "./udp-drops.ts";

/**
 * Real kernel drops, no mock: a socket with the smallest receive buffer, a burst of 30 KB datagrams
 * sent by another process while this one's event loop is blocked (execFileSync), so nothing is read
 * and the kernel drops what does not fit. The independent count is iproute2's `ss -m` (skmem's d).
 */
function burst(port: number, count: number, size = 30_000): void {
  execFileSync("python3", [
    "-c",
    `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor _ in range(${count}): s.sendto(b"x" * ${size}, ("127.0.0.1", ${port}))`,
  ]);
}

/** The drops `ss` reports for the UDP socket bound to 127.0.0.1:port. */
function ssDrops(port: number): number {
  const out = execFileSync("ss", ["-uamnH", "sport", "=", `:${port}`], { encoding: "utf8" });
  const d = /\bd(\d+)\)/.exec(out)?.[1];
  if (d === undefined) throw new Error(`ss printed no skmem drops for port ${port}: ${out}`);
  return Number(d);
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe("kernel drops on a UDP socket", () => {
  it("reads what ss reads, and 0 before the storm", async () => {
    const socket = createSocket({ type: "udp4", recvBufferSize: 65_536 });
    sockets.push(socket);
    socket.on("message", () => {});
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    const { port } = socket.address();
    expect(udpDrops(port, "udp4")).toBe(0);
    burst(port, 100);
    const dropped = udpDrops(port, "udp4");
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBe(ssDrops(port));
  });

  it("a port nobody has bound: 0; a /proc that is not there: undefined", () => {
    expect(udpDrops(1, "udp4")).toBe(0);
    expect(udpDrops(1, "udp4", "/nonexistent")).toBeUndefined();
  });
});

describe("the trap receiver counts and logs the traps the kernel dropped", () => {
  it("watchfloor_agent_snmp_trap_kernel_drops_total equals ss's count after a storm, and an error says traps were lost", async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "info" },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const registry = new Registry();
    const probe = createSocket("udp4");
    await new Promise<void>((r) => probe.bind(0, "127.0.0.1", () => r()));
    const port = probe.address().port;
    probe.close();
    const receiver = startTrapReceiver({
      listen: `127.0.0.1:${port}`,
      devices: [],
      sink: { injectCondition() {}, pollNow: async () => undefined },
      logger,
      registry,
      receiveBufferBytes: 65_536,
    });
    try {
      for (let i = 0; i < 100 && !lines.some((l) => l.includes("SNMP trap receiver listening")); i++)
        await new Promise((r) => setTimeout(r, 20));
      const listening = JSON.parse(lines.find((l) => l.includes("SNMP trap receiver listening"))!);
      // Linux reports twice the size set (its own bookkeeping).
      expect(listening.receiveBuffer).toBe(2 * 65_536);
      burst(port, 100);
      const expected = ssDrops(port);
      expect(expected).toBeGreaterThan(0);
      const metrics = await registry.metrics();
      expect(metrics).toContain(`watchfloor_agent_snmp_trap_kernel_drops_total ${expected}`);
      const lost = lines.map((l) => JSON.parse(l)).find((l) => /SNMP traps lost/.test(l.msg));
      expect(lost).toMatchObject({ level: 50, dropped: expected });
    } finally {
      await receiver.close();
    }
  });
});
