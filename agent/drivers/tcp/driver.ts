import { connect } from "node:net";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { type ProbeFields, probeDriver, secondsSince } from "../probe.ts";
import { TCP_FIELDS, type TcpField, type TcpOptions, tcpOptionsSchema } from "./options.ts";

/** host:port, IPv6 as [::1]:port. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  if (!m) throw new Error(`address ${JSON.stringify(address)}: expected host:port, e.g. 10.1.2.3:443`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** One TCP connect (handshake only, closed at once): success and connect time. */
export function probeTcp(device: DeviceConfig, o: TcpOptions, signal: AbortSignal): Promise<ProbeFields<TcpField>> {
  const { host, port } = parseHostPort(device.address);
  const started = performance.now();
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: o.timeoutMs, signal });
    socket.once("connect", () => {
      const duration = secondsSince(started);
      socket.destroy();
      const degraded = o.rttThresholdMs !== undefined && duration * 1000 > o.rttThresholdMs;
      done({ success: 1, duration, degraded: degraded ? 1 : 0 });
    });
    socket.once("timeout", () => socket.destroy(new Error("timeout")));
    socket.once("error", () => done({ success: 0, duration: secondsSince(started) }));
  });
}

export const tcpDriver = probeDriver("tcp", tcpOptionsSchema, TCP_FIELDS, (device, options) => ({
  probe: (signal) => probeTcp(device, options, signal),
}));
