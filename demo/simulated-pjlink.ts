import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";

/**
 * A PJLink display written from the PJLink Specifications (JBMIA; class 1 v1.04, class 2
 * v2.00). There is no PJLink peer in Debian (and no open-source display emulator packaged anywhere we
 * could install), so this is a stand-in by necessity: it follows the specification's framing (CR-ended
 * lines on TCP, greeting "PJLINK 0" or "PJLINK 1 <random>", MD5(random + password) before the first
 * command, "PJLINK ERRA" and disconnect on a wrong digest), answers "%<class><CMD>=<value>", ERR1 for
 * an undefined command (a class 2 command to a class 1 display), ERR2 for a bad parameter and ERR3 for
 * what is unavailable in standby (input, input resolution).
 */
export interface DisplayState {
  cls: 1 | 2;
  password?: string;
  power: 0 | 1 | 2 | 3;
  /** ERST: fan, lamp, temperature, cover, filter, other — each 0, 1 or 2. */
  errors: string;
  lamps: { hours: number; on: boolean }[];
  input: string;
  name: string;
  manufacturer: string;
  model: string;
  serial: string;
  software: string;
  filterHours: number;
  resolution: string;
}

export const defaultDisplay = (over: Partial<DisplayState> = {}): DisplayState => ({
  cls: 1,
  power: 1,
  errors: "000000",
  lamps: [{ hours: 1234, on: true }],
  input: "31",
  name: "WALL-TILE",
  manufacturer: "TESTCO",
  model: "TX-55",
  serial: "SN0001",
  software: "1.2.3",
  filterHours: 321,
  resolution: "1920x1080",
  ...over,
});

export interface PjlinkDisplay {
  port: number;
  state: DisplayState;
  /** Every command line received (without the digest), in order. */
  received: string[];
  /** Connections refused for a wrong digest. */
  refused: number;
  close(): Promise<void>;
}

function answer(s: DisplayState, cls: string, cmd: string, param: string): string {
  const classOf: Record<string, 1 | 2> = { SNUM: 2, SVER: 2, FILT: 2, IRES: 2, RRES: 2, INNM: 2, RLMP: 2, RFIL: 2, FREZ: 2 };
  const known = ["POWR", "ERST", "LAMP", "INPT", "AVMT", "INST", "NAME", "INF1", "INF2", "INFO", "CLSS", ...Object.keys(classOf)];
  const reply = (v: string) => `%${cls}${cmd}=${v}\r`;
  if (!known.includes(cmd) || (classOf[cmd] === 2 && (s.cls !== 2 || cls !== "2"))) return reply("ERR1");
  if (param !== "?") return reply("ERR2");
  const standby = s.power !== 1;
  switch (cmd) {
    case "POWR":
      return reply(String(s.power));
    case "ERST":
      return reply(s.errors);
    case "LAMP":
      return reply(s.lamps.map((l) => `${l.hours} ${l.on ? 1 : 0}`).join(" "));
    case "INPT":
      return reply(standby ? "ERR3" : s.input);
    case "NAME":
      return reply(s.name);
    case "INF1":
      return reply(s.manufacturer);
    case "INF2":
      return reply(s.model);
    case "CLSS":
      return reply(String(s.cls));
    case "SNUM":
      return reply(s.serial);
    case "SVER":
      return reply(s.software);
    case "FILT":
      return reply(String(s.filterHours));
    case "IRES":
      return reply(standby ? "ERR3" : s.resolution);
    default:
      return reply("ERR1");
  }
}

export async function startPjlinkDisplay(state: DisplayState, port = 0): Promise<PjlinkDisplay> {
  const display: PjlinkDisplay = { port: 0, state, received: [], refused: 0, close: async () => {} };
  const server: Server = createServer((socket) => {
    const random = randomBytes(4).toString("hex");
    const s = display.state;
    socket.write(s.password !== undefined ? `PJLINK 1 ${random}\r` : "PJLINK 0\r");
    let authed = s.password === undefined;
    let buf = "";
    socket.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (let i = buf.indexOf("\r"); i >= 0; i = buf.indexOf("\r")) {
        let line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!authed) {
          const expected = createHash("md5").update(random + s.password).digest("hex");
          if (line.slice(0, 32).toLowerCase() !== expected) {
            display.refused++;
            socket.end("PJLINK ERRA\r");
            return;
          }
          authed = true;
          line = line.slice(32);
        }
        display.received.push(line);
        const m = /^%([12])([A-Z0-9]{4}) (.*)$/.exec(line);
        socket.write(m ? answer(s, m[1]!, m[2]!, m[3]!) : "%1ERR1\r");
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  display.port = (server.address() as { port: number }).port;
  display.close = () =>
    new Promise((r) => {
      server.close(() => r());
    });
  return display;
}
