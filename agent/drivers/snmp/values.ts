import type { RawSample } from "../types.ts";
import { snmp, type Varbind } from "./netsnmp.ts";

const T = snmp.ObjectType;

function printable(buf: Buffer): string | undefined {
  // Plain ASCII (interface names, descriptions: nearly every string a poll reads) needs no checks.
  let ascii = true;
  for (let i = 0; i < buf.length && ascii; i++) ascii = buf[i]! >= 0x20 && buf[i]! <= 0x7e;
  if (ascii) return buf.toString("latin1");
  const text = buf.toString("utf8");
  // Trailing NULs are common padding on embedded agents; other control characters mean binary.
  const trimmed = text.replace(/\0+$/, "");
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(trimmed) && !trimmed.includes("\ufffd")
    ? trimmed
    : undefined;
}

/** A Counter64's big-endian octets (net-snmp hands them over raw, up to 9 with a sign octet) as a bigint. */
function counter64(v: Buffer): bigint {
  // Up to 6 octets fit a double exactly: the common case (an octet counter below 2^48) needs no hex string.
  if (v.length <= 6) {
    let n = 0;
    for (let i = 0; i < v.length; i++) n = n * 256 + v[i]!;
    return BigInt(n);
  }
  return BigInt(`0x${v.toString("hex")}`);
}

/**
 * A varbind's value as a raw sample value: integers, gauges, counters and timeticks as numbers,
 * Counter64 as bigint (exact beyond 2^53), text as string, binary octets as aa:bb:cc hex, OIDs as text.
 */
export function varbindValue(vb: Varbind): RawSample["value"] {
  const v = vb.value;
  switch (vb.type) {
    case T.Counter64: {
      if (Buffer.isBuffer(v)) return counter64(v);
      return typeof v === "number" || typeof v === "bigint" ? BigInt(v) : 0n;
    }
    case T.OctetString:
    case T.Opaque: {
      if (!Buffer.isBuffer(v)) return String(v);
      return printable(v) ?? [...v].map((b) => b.toString(16).padStart(2, "0")).join(":");
    }
    default:
      if (typeof v === "number" || typeof v === "bigint" || typeof v === "string") return v;
      if (Buffer.isBuffer(v)) return v.toString("hex");
      return String(v);
  }
}
