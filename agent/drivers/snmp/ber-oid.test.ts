import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decodeOid } from "./ber-oid.ts";
import "./netsnmp.ts";

/**
 * The fast OID codec against asn1-ber's own readOID/writeOID (kept as `.original`) and against OIDs
 * encoded by hand from X.690 §8.19: what the originals make, the replacements must make too.
 */
const { Writer, Reader } = createRequire(createRequire(import.meta.url).resolve("net-snmp"))("asn1-ber").Ber;
type Fn = ((...a: unknown[]) => unknown) & { original: (...a: unknown[]) => unknown };
const readOID = Reader.prototype.readOID as Fn;
const writeOID = Writer.prototype.writeOID as Fn;

function encode(oid: string, fn: (...a: unknown[]) => unknown = writeOID): Buffer {
  const w = new Writer();
  fn.call(w, oid);
  return w.buffer as Buffer;
}

const SAMPLES = [
  "1.3.6.1.2.1.1.3.0",
  "1.3.6.1.2.1.31.1.1.1.6.10001",
  "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753",
  "1.3.6.1.4.1.9.9.13.1.3.1.3.4294967295",
  "0.0",
  "2.39.127.128.16383.16384.2097151.2097152.268435455.268435456",
];

describe("OID codec (asn1-ber readOID/writeOID replaced)", () => {
  it("is installed on the Reader and Writer net-snmp uses", () => {
    expect(readOID.original).toBeTypeOf("function");
    expect(writeOID.original).toBeTypeOf("function");
  });

  it.each([
    // X.690 §8.19: 40·X+Y first, then base-128 arcs with the high bit on all but the last octet.
    ["1.3.6.1.2.1.1.3.0", "06082b06010201010300"],
    ["1.3.6.1.4.1.2011", "06072b060104018f5b"],
    ["1.3.6.1.4.1.318.1.1.1.2.2.1.0", "060e2b06010401823e01010102020100"],
  ])("writes %s as X.690 says", (oid, hex) => {
    expect(encode(oid).toString("hex")).toBe(hex);
  });

  it.each(SAMPLES)("reads and writes %s as asn1-ber's originals do", (oid) => {
    const bytes = encode(oid, writeOID.original);
    expect(encode(oid)).toEqual(bytes);
    expect(new Reader(bytes).readOID()).toBe(readOID.original.call(new Reader(bytes)));
    expect(new Reader(bytes).readOID()).toBe(oid);
  });

  it("agrees with the originals on 5 000 random OIDs, read back to back", () => {
    let seed = 17;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const oids = Array.from({ length: 5_000 }, () => {
      const arcs = [rand(3), rand(40)];
      for (let k = rand(14); k >= 0; k--) arcs.push(rand(2) ? rand(200) : rand(4294967295));
      return arcs.join(".");
    });
    const ours = Buffer.concat(oids.map((o) => encode(o)));
    expect(ours).toEqual(Buffer.concat(oids.map((o) => encode(o, writeOID.original))));
    const fast = new Reader(ours);
    const slow = new Reader(ours);
    expect(oids.map(() => fast.readOID())).toEqual(oids.map(() => readOID.original.call(slow)));
  });

  it("gives a truncated OID (last arc unfinished) to asn1-ber, whose result it keeps", () => {
    expect(decodeOid(Uint8Array.from([0x81]), 0, 1)).toBeUndefined();
    // 06 02 2b 81: "1.3" then an unfinished arc: asn1-ber drops the unfinished arc.
    expect(new Reader(Buffer.from("06022b81", "hex")).readOID()).toBe("1.3");
  });

  it("leaves bad input to asn1-ber's errors", () => {
    expect(() => new Reader(Buffer.from("0401ff", "hex")).readOID()).toThrow(/Expected 0x6/);
    expect(() => encode("1.3.x")).toThrow(/not a valid OID/);
  });
});
