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
