import { readFileSync } from "node:fs";

/**
 * Datagrams the kernel dropped for a UDP socket before anyone read them — its receive buffer was full
 * (a trap storm while the agent's event loop was busy). Linux counts them per socket in the last
 * column ("drops") of /proc/net/udp and /proc/net/udp6; this reads that column for the sockets bound
 * to a local port. Nothing else reports this loss: without it a storm's traps vanish silently.
 */

/** Sums the drops column of the /proc/net/udp[6] rows whose local port is `port`. */
export function udpDropsFrom(table: string, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let drops = 0;
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    if (cols.length < 13) continue;
    if (cols[1]!.split(":").at(-1) !== hexPort) continue;
    const d = Number(cols.at(-1));
    if (Number.isFinite(d)) drops += d;
  }
  return drops;
}

/**
 * Kernel drops of the UDP sockets bound to `port` (IPv4 or IPv6), or undefined where the kernel does
 * not say (not Linux, /proc not mounted).
 */
export function udpDrops(port: number, family: "udp4" | "udp6", procNet = "/proc/net"): number | undefined {
  try {
    return udpDropsFrom(readFileSync(`${procNet}/${family === "udp6" ? "udp6" : "udp"}`, "utf8"), port);
  } catch {
    return undefined;
  }
}
