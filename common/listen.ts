import { createSocket } from "node:dgram";

/**
 * A listener the configuration names (trap port, /metrics, the collector's API) that cannot be opened.
 * The processes stop on it with this message rather than run half-deaf (an agent without its trap
 * receiver loses every trap, silently).
 */
export class ListenError extends Error {
  constructor(
    readonly what: string,
    readonly address: string,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(`cannot listen on ${address} for ${what}: ${reason}`);
  }
}

function reasonFor(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "EACCES":
      return "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE: AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit, see deploy/README.md)";
    case "EADDRINUSE":
      return "the port is already in use by another process";
    case "EADDRNOTAVAIL":
      return "no network interface of this machine has that address";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve";
    default:
      return err.message;
  }
}

export function listenError(what: string, address: string, err: unknown): ListenError {
  const e = err as NodeJS.ErrnoException;
  return new ListenError(what, address, e.code, reasonFor(e));
}

/** Runs `listen` and turns a refusal into a ListenError naming what the listener was for. */
export async function listenOrExplain<T>(
  what: string,
  address: string,
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    throw listenError(what, address, err);
  }
}

/**
 * Binds a UDP port and lets it go again, so a receiver whose library reports a failed bind only in a
 * callback (net-snmp's trap receiver) is known to be able to bind before it starts.
 */
export function checkUdpBindable(what: string, host: string, port: number): Promise<void> {
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}/udp`;
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (err) => {
      socket.close();
      reject(listenError(what, address, err));
    });
    socket.bind(port, host, () => socket.close(() => resolve()));
  });
}
