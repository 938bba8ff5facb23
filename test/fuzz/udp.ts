import { createSocket } from "node:dgram";

/** Sends each packet to 127.0.0.1:port from one socket (so every packet has the same source). */
export async function sendUdp(port: number, packets: Buffer[], host = "127.0.0.1"): Promise<void> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  // Informs are answered; the answers land here and are not read.
  socket.on("message", () => {});
  try {
    for (const p of packets)
      await new Promise<void>((done, fail) => socket.send(p, port, host, (err) => (err ? fail(err) : done())));
  } finally {
    socket.close();
  }
}
