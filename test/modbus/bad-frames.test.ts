import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { ModbusBus, type TransportKind } from "../../agent/drivers/modbus/bus.ts";
import { startPtyPair } from "./peers.ts";

/**
 * Issue 12 #5: one bad frame must not leave a Modbus device "unreachable" while its next answers are
 * valid. No Modbus peer can be told to send malformed frames (pymodbus always frames correctly), so
 * this is a raw TCP server written for the test: it speaks Modbus TCP (MBAP) or RTU framing over TCP,
 * sends one bad frame of the given kind in place of (or after) its first answer, then answers
 * correctly. Holding register a holds 1000 + a. The serial case runs the same responder on one end of
 * a socat pty pair.
 */
type Kind = "trailing" | "garbage" | "truncated" | "huge-length" | "wrong-transaction" | "bad-crc";

function crc16(buf: Buffer): number {
  let crc = 0xffff;
  for (const b of buf) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(pdu: Buffer): Buffer {
  const out = Buffer.alloc(pdu.length + 2, pdu);
  out.writeUInt16LE(crc16(pdu), pdu.length);
  return out;
}

/** The PDU answering read holding registers (FC 3) for `unit`. */
function readAnswer(unit: number, address: number, count: number): Buffer {
  const pdu = Buffer.alloc(3 + 2 * count);
  pdu[0] = unit;
  pdu[1] = 3;
  pdu[2] = 2 * count;
  for (let i = 0; i < count; i++) pdu.writeUInt16BE(1000 + address + i, 3 + 2 * i);
  return pdu;
}

function mbap(tid: number, pdu: Buffer, length = pdu.length): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(tid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(length, 4);
  return Buffer.concat([head, pdu]);
}

const GARBAGE = Buffer.from("5a a5 13 37 00 07 01 03 04 ff ff ff ff 42 42 42 42".replace(/ /g, ""), "hex");

function badFrame(kind: Kind, framing: "mbap" | "rtu", tid: number, good: Buffer): Buffer {
  switch (kind) {
    case "trailing":
      return Buffer.concat([good, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])]);
    case "garbage":
      return GARBAGE;
    case "truncated":
      return good.subarray(0, 7);
    case "huge-length":
      return mbap(tid, Buffer.from([1, 3, 0xfe, 0, 0]), 0xfff0);
    case "wrong-transaction":
      return Buffer.concat([mbap(tid + 77, readAnswer(1, 0, 4).subarray(0, 7)), Buffer.alloc(0)]);
    case "bad-crc": {
      const frame = Buffer.from(good);
      frame[frame.length - 1]! ^= 0xff;
      return framing === "rtu" ? frame : good;
    }
  }
}

/** The device side of a byte stream: one bad frame of `kind` on its first request, correct answers after. */
function respond(stream: Pick<Socket, "on" | "write">, kind: Kind, framing: "mbap" | "rtu", state: { sentBad: boolean }): void {
  let buf = Buffer.alloc(0);
  stream.on("error", () => {});
  stream.on("data", (data: Buffer) => {
    buf = Buffer.concat([buf, data]);
    const size = framing === "mbap" ? 12 : 8;
    while (buf.length >= size) {
      const req = buf.subarray(0, size);
      buf = buf.subarray(size);
      const pduAt = framing === "mbap" ? 6 : 0;
      const unit = req[pduAt]!;
      const address = req.readUInt16BE(pduAt + 2);
      const count = req.readUInt16BE(pduAt + 4);
      const tid = framing === "mbap" ? req.readUInt16BE(0) : 0;
      const answer = readAnswer(unit, address, count);
      const good = framing === "mbap" ? mbap(tid, answer) : withCrc(answer);
      if (!state.sentBad) {
        state.sentBad = true;
        stream.write(badFrame(kind, framing, tid, good));
      } else stream.write(good);
    }
  });
}

/** A raw TCP server answering on every connection; the bad frame goes out once per server. */
async function rawServer(kind: Kind, framing: "mbap" | "rtu"): Promise<{ port: number; server: Server }> {
  const state = { sentBad: false };
  const server = createServer((socket: Socket) => respond(socket, kind, framing, state));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as { port: number }).port, server };
}

let stopPeer: (() => Promise<unknown>) | undefined;
let bus: ModbusBus | undefined;
afterEach(async () => {
  await bus?.close();
  await stopPeer?.();
  stopPeer = bus = undefined;
});

const SERIAL = { baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1 } as const;

async function exchanges(kind: Kind, transport: TransportKind, n = 4): Promise<string[]> {
  let address: string;
  if (transport === "rtu") {
    // RTU on a real serial line: a socat pty pair, the device side opened with serialport.
    const pair = await startPtyPair();
    const device = new SerialPort({ path: pair.server, ...SERIAL });
    await new Promise<void>((r, j) => device.on("open", r).on("error", j));
    respond(device as unknown as Socket, kind, "rtu", { sentBad: false });
    stopPeer = async () => {
      await new Promise((r) => device.close(r));
      await pair.stop();
    };
    address = pair.client;
  } else {
    const raw = await rawServer(kind, transport === "tcp" ? "mbap" : "rtu");
    stopPeer = () => new Promise<void>((r) => raw.server.close(() => r()));
    address = `127.0.0.1:${raw.port}`;
  }
  bus = new ModbusBus({
    transport,
    address,
    serial: SERIAL,
    interFrameGapMs: 0,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
  });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const r = (await bus.request(1, 300, (c) => c.readHoldingRegisters(0, 4))) as { data: number[] };
      out.push(r.data.join(","));
    } catch (err) {
      out.push(`error: ${(err as Error).name}`);
    }
  }
  return out;
}

const OK = "1000,1001,1002,1003";

describe("Modbus TCP: after one bad frame the next answers are read (the stream resynchronises)", () => {
  it("trailing bytes after a valid answer: that answer and every later one are read", async () => {
    expect(await exchanges("trailing", "tcp")).toEqual([OK, OK, OK, OK]);
  });
  for (const kind of ["garbage", "truncated", "huge-length", "wrong-transaction"] as const)
    it(`${kind}: that request fails, the next ones are read`, async () => {
      expect(await exchanges(kind, "tcp")).toEqual(["error: TransportError", OK, OK, OK]);
    });
});

describe("Modbus RTU over TCP: after one bad frame the next answers are read", () => {
  it("trailing bytes after a valid answer: that answer and every later one are read", async () => {
    expect(await exchanges("trailing", "rtu-over-tcp")).toEqual([OK, OK, OK, OK]);
  });
  for (const kind of ["garbage", "truncated", "bad-crc"] as const)
    it(`${kind}: that request fails, the next ones are read`, async () => {
      expect(await exchanges(kind, "rtu-over-tcp")).toEqual(["error: TransportError", OK, OK, OK]);
    });
});

describe("Modbus RTU on a serial line: after one bad frame the input is flushed and the next answers are read", () => {
  it("trailing bytes after a valid answer: that answer and every later one are read", async () => {
    expect(await exchanges("trailing", "rtu")).toEqual([OK, OK, OK, OK]);
  });
  for (const kind of ["garbage", "truncated", "bad-crc"] as const)
    it(`${kind}: that request fails, the next ones are read`, async () => {
      expect(await exchanges(kind, "rtu")).toEqual(["error: TransportError", OK, OK, OK]);
    });
});
