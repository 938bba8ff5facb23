import type { ModbusSource } from "./source.ts";

/**
 * Turns the registers of one source into a value: numbers for 16/32-bit and float types, bigint for
 * 64-bit integers (exact beyond 2^53), strings for text. Pure; the table tests in codec.test.ts pin
 * every type and order.
 */
export function decodeRegisters(
  src: Pick<ModbusSource, "type" | "wordOrder" | "byteOrder">,
  words: readonly number[],
): number | bigint | string {
  const ordered = src.wordOrder === "little" && src.type !== "string" ? [...words].reverse() : words;
  const buf = Buffer.alloc(ordered.length * 2);
  ordered.forEach((w, i) => {
    if (src.byteOrder === "little") buf.writeUInt16LE(w & 0xffff, i * 2);
    else buf.writeUInt16BE(w & 0xffff, i * 2);
  });
  switch (src.type) {
    case "uint16":
      return buf.readUInt16BE(0);
    case "int16":
      return buf.readInt16BE(0);
    case "uint32":
      return buf.readUInt32BE(0);
    case "int32":
      return buf.readInt32BE(0);
    case "float32":
      return roundFloat32(buf.readFloatBE(0));
    case "uint64":
      return buf.readBigUInt64BE(0);
    case "int64":
      return buf.readBigInt64BE(0);
    case "float64":
      return buf.readDoubleBE(0);
    case "string":
      return decodeString(buf);
  }
}

/** A float32 carries ~7 significant digits; 23.4 must read 23.4, not 23.399999618530273. */
function roundFloat32(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(7)) : v;
}

/** Two ASCII characters a register, first character in the high byte; NUL padding and spaces trimmed. */
function decodeString(buf: Buffer): string {
  let end = buf.indexOf(0);
  if (end < 0) end = buf.length;
  let out = "";
  for (const b of buf.subarray(0, end)) out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : " ";
  return out.trim();
}

/** The inverse, for tests and simulated devices: value → registers in the source's order. */
export function encodeRegisters(
  src: Pick<ModbusSource, "type" | "wordOrder" | "byteOrder" | "count">,
  value: number | bigint | string,
): number[] {
  let buf: Buffer;
  switch (src.type) {
    case "uint16":
    case "int16":
      buf = Buffer.alloc(2);
      buf.writeUInt16BE(Number(value) & 0xffff);
      break;
    case "uint32":
    case "int32":
      buf = Buffer.alloc(4);
      buf.writeUInt32BE(Number(value) >>> 0);
      break;
    case "float32":
      buf = Buffer.alloc(4);
      buf.writeFloatBE(Number(value));
      break;
    case "uint64":
    case "int64":
      buf = Buffer.alloc(8);
      buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)));
      break;
    case "float64":
      buf = Buffer.alloc(8);
      buf.writeDoubleBE(Number(value));
      break;
    case "string":
      buf = Buffer.alloc((src.count ?? 1) * 2);
      buf.write(String(value), "ascii");
      break;
  }
  const words: number[] = [];
  for (let i = 0; i < buf.length; i += 2)
    words.push(src.byteOrder === "little" ? buf.readUInt16LE(i) : buf.readUInt16BE(i));
  return src.wordOrder === "little" && src.type !== "string" ? words.reverse() : words;
}
