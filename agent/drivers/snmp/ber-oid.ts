import { createRequire } from "node:module";

/** The parts of asn1-ber's Writer that encoding an OID touches. */
interface BerWriter {
  _buf: Buffer;
  _offset: number;
  _ensure(len: number): void;
  writeByte(b: number): void;
  writeLength(len: number): void;
  writeOID(oid: string, tag?: number): void;
}

/** The parts of asn1-ber's Reader that decoding an OID touches. */
interface BerReader {
  _buf: Buffer;
  _size: number;
  _len: number;
  _offset: number;
  peek(): number | null;
  readLength(offset: number): number | null;
  readOID(tag?: number): string | null;
}

const OID_TAG = 0x06;

/** Digits are written here and read out as one string: no intermediate strings per arc. */
let scratch = Buffer.allocUnsafe(256);

/** Writes `n` (0 ≤ n < 2^32) in decimal at `at`; returns the position after it. */
function writeDecimal(n: number, at: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = at + digits - 1, x = n; i >= at; i--, x = Math.floor(x / 10)) scratch[i] = 48 + (x % 10);
  return at + digits;
}

/**
 * The OID in `buf[from, end)` in dotted form, decoded the way asn1-ber does (first octet split as
 * X·40+Y, arcs of 7-bit groups, unsigned 32-bit), or undefined when it holds no complete arc.
 */
export function decodeOid(buf: Uint8Array, from: number, end: number): string | undefined {
  // At most 11 characters per arc ("." and 10 digits), each arc at least one byte; the first makes two.
  const room = 11 * (end - from + 1);
  if (scratch.length < room) scratch = Buffer.allocUnsafe(room);
  let at = 0;
  let value = 0;
  for (let i = from; i < end; i++) {
    const byte = buf[i]!;
    value <<= 7;
    value += byte & 0x7f;
    if ((byte & 0x80) === 0) {
      const arc = value >>> 0;
      if (at === 0) {
        // The first byte holds two arcs, X·40+Y (asn1-ber splits it this way whatever X is).
        const first = (arc / 40) >> 0;
        at = writeDecimal(first, 0);
        scratch[at++] = 46;
        at = writeDecimal(arc % 40, at);
      } else {
        scratch[at++] = 46;
        at = writeDecimal(arc, at);
      }
      value = 0;
    }
  }
  return at === 0 ? undefined : scratch.toString("latin1", 0, at);
}

/** Arc bytes of the OID being encoded (an OID has at most 128 arcs in SNMP, 5 bytes each). */
let encoded = new Uint8Array(1024);

/**
 * The content octets of `oid` (dotted, at least two arcs, digits only), as asn1-ber's writeOID makes
 * them: the first two arcs as one X·40+Y byte, every later arc in base-128 groups. Returns their count.
 */
export function encodeOid(oid: string): number {
  if (encoded.length < oid.length * 5) encoded = new Uint8Array(oid.length * 5);
  let n = 0;
  let arcs = 0;
  let first = 0;
  let arc = 0;
  for (let i = 0; i <= oid.length; i++) {
    const c = i < oid.length ? oid.charCodeAt(i) : 46;
    if (c !== 46) {
      arc = arc * 10 + (c - 48);
      continue;
    }
    if (arcs === 0) first = arc;
    else if (arcs === 1) encoded[n++] = first * 40 + arc;
    else if (arc < 128) encoded[n++] = arc;
    else {
      // asn1-ber's own groups (unsigned 32-bit shifts), most significant first.
      const start = n;
      for (let x = arc; ; ) {
        encoded[n++] = x & 0x7f;
        x = Math.floor(x / 128);
        if (x === 0) break;
      }
      encoded.subarray(start, n).reverse();
      for (let k = start; k < n - 1; k++) encoded[k] = encoded[k]! | 0x80;
    }
    arcs++;
    arc = 0;
  }
  return n;
}

const OID_TEXT = /^[0-9]+(\.[0-9]+)+$/;

/**
 * net-snmp encodes and decodes every varbind's OID through asn1-ber, whose readOID copies the bytes into
 * a new Buffer, pushes each arc into an array, shifts and unshifts it, and joins (a third of everything
 * a poll allocated), and whose writeOID splits, parses and pushes through closures. These read the arcs
 * straight from the datagram into the string, and write them straight into the Writer's buffer. Anything
 * unusual (a wrong tag, a truncated or empty OID, a one-arc or non-numeric OID, an arc past 2^32) goes to
 * the originals, so errors stay asn1-ber's own.
 */
export function installFastOidCodec(): void {
  const netSnmp = createRequire(import.meta.url).resolve("net-snmp");
  const { Reader, Writer } = createRequire(netSnmp)("asn1-ber").Ber as {
    Reader: { prototype: BerReader };
    Writer: { prototype: BerWriter };
  };
  const reader = Reader.prototype;
  if ((reader.readOID as { original?: unknown }).original) return;
  const readOriginal = reader.readOID;
  const readOID = function readOID(this: BerReader, tag?: number): string | null {
    const t = tag || OID_TAG;
    if (this.peek() === t) {
      const start = this.readLength(this._offset + 1);
      if (start !== null && this._len > 0 && this._len <= this._size - start) {
        const end = start + this._len;
        const oid = decodeOid(this._buf, start, end);
        if (oid !== undefined) {
          this._offset = end;
          return oid;
        }
      }
    }
    return readOriginal.call(this, tag);
  };
  reader.readOID = Object.assign(readOID, { original: readOriginal });

  const writer = Writer.prototype;
  const writeOriginal = writer.writeOID;
  const writeOID = function writeOID(this: BerWriter, oid: string, tag?: number): void {
    // Arcs past 2^32 - 1 (10 digits may be more) are asn1-ber's to wrap as it does.
    if (typeof oid !== "string" || !OID_TEXT.test(oid) || /[0-9]{10}/.test(oid) || oid.charCodeAt(0) > 50) {
      writeOriginal.call(this, oid, tag);
      return;
    }
    const n = encodeOid(oid);
    this._ensure(2 + n);
    this.writeByte(typeof tag === "number" ? tag : OID_TAG);
    this.writeLength(n);
    this._ensure(n);
    this._buf.set(encoded.subarray(0, n), this._offset);
    this._offset += n;
  };
  writer.writeOID = Object.assign(writeOID, { original: writeOriginal });
}
