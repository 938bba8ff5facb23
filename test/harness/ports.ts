import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A TCP port free right now on loopback, for peers that cannot be told to pick one themselves. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * `n` distinct TCP ports free right now on loopback: all are held open until every one is allocated,
 * so two calls cannot be handed the same port the kernel just released.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Whether a process listens on a TCP port or has a UDP port bound (any address), read from /proc/net. */
export function portBound(port: number, proto: "udp" | "tcp"): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync(`/proc/net/${proto}`, "utf8")
    .split("\n")
    .some((l) => {
      const cols = l.trim().split(/\s+/);
      return cols[1]?.endsWith(hex) === true && (proto === "udp" || cols[3] === "0A");
    });
}
