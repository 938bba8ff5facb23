import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect as tcpConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { parseResponse, type SipResponse } from "./message.ts";

/**
 * One connection (or UDP socket) for one probe: send requests, wait for the final response that
 * answers one. A closed or refused connection is "no answer" like silence, so the caller sees one kind
 * of failure for a dead peer whatever the transport.
 */
export interface SipChannel {
  local: { host: string; port: number };
  /** The final (≥ 200) response matching `accept`, or undefined at the deadline. */
  request(message: string, accept: (r: SipResponse) => boolean, deadline: number, retransmitMs?: number): Promise<SipResponse | undefined>;
  close(): void;
}

interface Waiter {
  accept: (r: SipResponse) => boolean;
  done: (r: SipResponse | undefined) => void;
}

function waitFor(waiters: Set<Waiter>, accept: Waiter["accept"], deadline: number, onTick?: (stop: () => boolean) => void) {
  return new Promise<SipResponse | undefined>((resolve) => {
    let settled = false;
    const w: Waiter = {
      accept,
      done: (r) => {
        if (settled) return;
        settled = true;
        waiters.delete(w);
        clearTimeout(timer);
        resolve(r);
      },
    };
    waiters.add(w);
    const timer = setTimeout(() => w.done(undefined), Math.max(0, deadline - Date.now()));
    onTick?.(() => settled);
  });
}

function deliver(waiters: Set<Waiter>, res: SipResponse): void {
  if (res.status < 200) return; // provisional: keep waiting for the final answer
  for (const w of waiters) if (w.accept(res)) w.done(res);
}

export async function openUdp(host: string, port: number): Promise<SipChannel> {
  const socket = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
  const waiters = new Set<Waiter>();
  socket.on("message", (msg) => {
    const res = parseResponse(msg);
    if (res && res !== "incomplete") deliver(waiters, res);
  });
  // ICMP port unreachable on a connected socket: the same as silence until the deadline.
  socket.on("error", () => {});
  await new Promise<void>((r, j) => {
    socket.once("error", j);
    socket.connect(port, host, () => r());
  });
  const addr = socket.address();
  return {
    local: { host: addr.address, port: addr.port },
    request(message, accept, deadline, retransmitMs = 500) {
      const send = () => socket.send(message, () => {});
      send();
      return waitFor(waiters, accept, deadline, (stopped) => {
        let interval = retransmitMs;
        const again = () => {
          if (stopped() || Date.now() + interval > deadline) return;
          setTimeout(() => {
            if (stopped()) return;
            send();
            interval = Math.min(interval * 2, 4000); // Timer A doubles, capped at T2
            again();
          }, interval).unref();
        };
        again();
      });
    },
    close: () => socket.close(),
  };
}

export async function openStream(
  host: string,
  port: number,
  tls: { ca?: string; insecure: boolean; servername?: string } | undefined,
  deadline: number,
): Promise<SipChannel | undefined> {
  const timeout = Math.max(1, deadline - Date.now());
  const socket: Socket = tls
    ? tlsConnect({
        host,
        port,
        rejectUnauthorized: !tls.insecure,
        ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
        ...(tls.servername ? { servername: tls.servername } : isIP(host) ? {} : { servername: host }),
        timeout,
      })
    : tcpConnect({ host, port, timeout });
  const ok = await new Promise<boolean>((r) => {
    socket.once(tls ? "secureConnect" : "connect", () => r(true));
    socket.once("error", () => r(false));
    socket.once("timeout", () => r(false));
  });
  if (!ok) {
    socket.destroy();
    return undefined;
  }
  socket.setTimeout(0);
  const waiters = new Set<Waiter>();
  let buf = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const res = parseResponse(buf);
      if (res === "incomplete") return;
      if (!res) {
        buf = Buffer.alloc(0); // not SIP: drop it, the deadline tells
        return;
      }
      buf = buf.subarray(res.length);
      deliver(waiters, res);
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    for (const w of waiters) w.done(undefined);
  });
  return {
    local: { host: socket.localAddress ?? "127.0.0.1", port: socket.localPort ?? 0 },
    request(message, accept, deadline) {
      socket.write(message);
      return waitFor(waiters, accept, deadline);
    },
    close: () => socket.destroy(),
  };
}
