import { createSocket, type Socket } from "node:dgram";

/**
 * A stand-in for broken SNMP devices, with no real counterpart to run instead: a tiny v2c responder
 * written with raw BER, one misbehaviour per community. Real devices do each of these (a walk that
 * never ends, OIDs going backwards, garbage, silence, tooBig at high max-repetitions, GetBulk that
 * ignores non-repeaters); snmpsim and snmpd are too well-behaved to show them.
 */
export type Behaviour = "good" | "endless" | "backwards" | "garbage" | "silent" | "toobig" | "flatbulk";

const ROWS = 30;
/** For "toobig": the most varbinds a reply may carry before the device answers tooBig. */
export const TOOBIG_LIMIT = 20;

// --- BER, just enough for SNMP v2c -------------------------------------------------------------
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
function int(tag: number, n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(tag, Buffer.from(bytes));
}
function oid(text: string): Buffer {
  const p = text.split(".").map(Number);
  const out = [p[0]! * 40 + p[1]!];
  for (const n of p.slice(2)) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

interface Node {
  tag: number;
  body: Buffer;
}
function read(buf: Buffer, at: number): Node & { next: number } {
  const tag = buf[at]!;
  let n = buf[at + 1]!;
  let p = at + 2;
  if (n & 0x80) {
    const k = n & 0x7f;
    n = 0;
    for (let i = 0; i < k; i++) n = n * 256 + buf[p + i]!;
    p += k;
  }
  return { tag, body: buf.subarray(p, p + n), next: p + n };
}
function children(body: Buffer): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < body.length; ) {
    const n = read(body, at);
    out.push(n);
    at = n.next;
  }
  return out;
}
const toInt = (b: Buffer) => b.reduce((v, x) => v * 256 + x, 0);
function toOid(b: Buffer): string {
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (const x of b.subarray(1)) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

interface Request {
  community: string;
  type: number;
  id: number;
  nonRepeaters: number;
  maxRepetitions: number;
  oids: string[];
}
function decode(msg: Buffer): Request {
  const [version, community, pdu] = children(read(msg, 0).body);
  void version;
  const [id, a, b, list] = children(pdu!.body);
  return {
    community: community!.body.toString(),
    type: pdu!.tag,
    id: toInt(id!.body),
    nonRepeaters: toInt(a!.body),
    maxRepetitions: toInt(b!.body),
    oids: children(list!.body).map((vb) => toOid(children(vb.body)[0]!.body)),
  };
}
function respond(req: Request, varbinds: [string, Buffer][], errorStatus = 0): Buffer {
  const list = tlv(0x30, Buffer.concat(varbinds.map(([o, v]) => tlv(0x30, Buffer.concat([oid(o), v])))));
  const pdu = tlv(0xa2, Buffer.concat([int(0x02, req.id), int(0x02, errorStatus), int(0x02, 0), list]));
  return tlv(0x30, Buffer.concat([int(0x02, 1), tlv(0x04, Buffer.from(req.community)), pdu]));
}

// --- the device ---------------------------------------------------------------------------------

/** The device's only table: columns TABLE.1 … TABLE.9, rows 1..ROWS; and one scalar, SCALAR. */
export const TABLE = "1.3.6.1.4.1.99999.1";
export const SCALAR = "1.3.6.1.4.1.99999.2.0";

/** Successors of `from` as this device sees them. */
function successors(behaviour: Behaviour, from: string, count: number): [string, Buffer][] {
  // The scalar's own object (…2): its successor is the scalar instance (…2.0), then the end of the MIB.
  if (`${SCALAR}`.startsWith(`${from}.`))
    return [
      [SCALAR, int(0x43, 123456)],
      ...Array.from({ length: count - 1 }, (): [string, Buffer] => [SCALAR, Buffer.from([0x82, 0x00])]),
    ];
  const rest = from.startsWith(`${TABLE}.`)
    ? from
        .slice(TABLE.length + 1)
        .split(".")
        .map(Number)
    : [];
  let column = rest[0] ?? 1;
  let row = rest[1] ?? 0;
  const out: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    if (column > 9) {
      out.push([from, Buffer.from([0x82, 0x00])]); // endOfMibView
      continue;
    }
    if (behaviour === "backwards") row = row === 0 ? 5 : row - 1;
    else row += 1;
    if (behaviour !== "endless" && row > ROWS) {
      column += 1;
      row = 1;
    }
    out.push([`${TABLE}.${column}.${row}`, int(0x02, row)]);
  }
  return out;
}

function answer(behaviour: Behaviour, req: Request): Buffer | undefined {
  if (behaviour === "silent") return undefined;
  if (behaviour === "garbage") return Buffer.from("\x30\x82\xff\xffthis is not BER at all");
  if (req.type === 0xa0)
    return respond(
      req,
      req.oids.map((o) => [o, int(0x43, 123456)]),
    ); // GET: TimeTicks
  const reps = req.type === 0xa5 ? req.maxRepetitions : 1;
  // RFC 3416 4.2.3: the first N OIDs get one successor each, the rest max-repetitions. "flatbulk" is
  // firmware that ignores N and repeats every OID.
  const n = req.type === 0xa5 && behaviour !== "flatbulk" ? Math.min(req.nonRepeaters, req.oids.length) : 0;
  const repeaters = req.oids.slice(n);
  if (behaviour === "toobig" && n + reps * repeaters.length > TOOBIG_LIMIT)
    return respond(
      req,
      req.oids.map((o) => [o, Buffer.from([0x05, 0x00])]),
      1,
    );
  const varbinds: [string, Buffer][] = req.oids.slice(0, n).map((o) => successors(behaviour, o, 1)[0]!);
  const perOid = repeaters.map((o) => successors(behaviour, o, reps));
  for (let r = 0; r < reps; r++) for (const list of perOid) varbinds.push(list[r]!);
  return respond(req, varbinds);
}

export class BrokenAgent {
  private socket: Socket = createSocket("udp4");
  port = 0;
  requests = 0;

  async start(): Promise<this> {
    this.socket.on("message", (msg, rinfo) => {
      this.requests++;
      let req: Request;
      try {
        req = decode(msg);
      } catch {
        return;
      }
      const reply = answer(req.community as Behaviour, req);
      if (reply) this.socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => this.socket.bind(0, "127.0.0.1", () => r()));
    this.port = this.socket.address().port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

export { ROWS };
