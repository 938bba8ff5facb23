import { connect, type Socket } from "node:net";

/**
 * A raw TCP client on loopback, for the tests of servers against clients that hold sockets
 * (slowloris, silent connections, stalled readers): what it received (the first 4 KB as latin1), how
 * many bytes, and when the server closed the connection (ms after connecting). `onOpen` gets a closer
 * for the test's clean-up.
 */
export function rawClient(
  port: number,
  onOpen: (destroy: () => Promise<void>) => void,
): { socket: Socket; received: () => string; bytes: () => number; closedAfter: Promise<number> } {
  const socket = connect(port, "127.0.0.1");
  const t0 = performance.now();
  let text = "";
  let bytes = 0;
  socket.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (text.length < 4096) text += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  const closedAfter = new Promise<number>((done) => socket.once("close", () => done(performance.now() - t0)));
  onOpen(async () => {
    socket.destroy();
  });
  return { socket, received: () => text, bytes: () => bytes, closedAfter };
}

/** `p`, or a rejection naming `what` when it has not settled within `ms`. */
export const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms)),
  ]);
