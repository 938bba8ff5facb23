import { createSocket, type Socket } from "node:dgram";

export type TrunkMode = "up" | "silent" | "503";

/**
 * A voice trunk for the demo: answers SIP OPTIONS over UDP with 200 (up), 503 (refusing service) or
 * not at all (silent), echoing Via, From, To, Call-ID and CSeq as RFC 3261 §8.2.6 asks. For the demo
 * only; the tests use Debian's sipp and kamailio.
 */
export class SimulatedSipTrunk {
  mode: TrunkMode = "up";
  private socket: Socket | undefined;

  listen(host: string, port: number): Promise<void> {
    const socket = createSocket("udp4");
    this.socket = socket;
    socket.on("message", (msg, from) => {
      const text = msg.toString("latin1");
      if (!text.startsWith("OPTIONS ") || this.mode === "silent") return;
      const head = text.split("\r\n\r\n")[0]!.split("\r\n");
      const copy = (name: string) => head.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      const to = copy("To")[0] ?? "To: <sip:trunk@127.0.0.1>";
      const status = this.mode === "up" ? "200 OK" : "503 Service Unavailable";
      const reply = [
        `SIP/2.0 ${status}`,
        ...copy("Via"),
        ...copy("From"),
        to.includes(";tag=") ? to : `${to};tag=demo-trunk`,
        ...copy("Call-ID"),
        ...copy("CSeq"),
        "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      socket.send(reply, from.port, from.address);
    });
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, host, () => resolve());
    });
  }

  close(): void {
    this.socket?.close();
  }
}
