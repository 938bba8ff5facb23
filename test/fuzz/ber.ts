/**
 * A small BER encoder (X.690) for building SNMP packets byte by byte in tests and the fuzz suite.
 * It is written from the standard, not from net-snmp, so it can say things net-snmp never would:
 * integers of any size, lengths that lie, long-form lengths, PDUs cut short.
 */

/** A definite length: short form below 128, long form (0x80 | n, then n bytes) above. */
export function berLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), berLength(content.length), content]);
}

/** Two's-complement INTEGER content of any size (minimal length). */
export function intContent(value: bigint | number): Buffer {
  let v = BigInt(value);
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(v & 0xffn);
    bytes.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Buffer.from(bytes);
}

export const int = (value: bigint | number, tag = 0x02) => tlv(tag, intContent(value));
/** Unsigned application types (Counter32 0x41, Gauge32 0x42, TimeTicks 0x43, Counter64 0x46) of any size. */
export const unsigned = (tag: number, value: bigint | number) => tlv(tag, intContent(value));
export const octets = (s: string | Buffer) => tlv(0x04, Buffer.isBuffer(s) ? s : Buffer.from(s));
export const nul = () => Buffer.from([0x05, 0x00]);
export const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));

/** An OBJECT IDENTIFIER from dotted text ("1.3.6.1…"), each arc base-128 (arcs may exceed 32 bits). */
export function oid(text: string): Buffer {
  const arcs = text.replace(/^\./, "").split(".").map((a) => BigInt(a));
  const first = (arcs[0] ?? 0n) * 40n + (arcs[1] ?? 0n);
  const parts: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const group: number[] = [];
    let v = arc;
    do {
      group.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < group.length - 1; i += 1) group[i]! |= 0x80;
    parts.push(...group);
  }
  return tlv(0x06, Buffer.from(parts));
}

export const PDU = { get: 0xa0, response: 0xa2, trapV1: 0xa4, bulk: 0xa5, inform: 0xa6, trapV2: 0xa7, report: 0xa8 };
export const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";
export const SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0";
/** UPS-MIB upsTrapOnBattery, a trap the ups-mib profile maps to ups.on_battery. */
export const UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";

export const varbind = (name: string, value: Buffer) => seq(oid(name), value);

/** The two varbinds every v2 notification starts with (RFC 3416 §4.2.6). */
export function notificationVarbinds(trapOid: string, uptime: bigint | number = 1234): Buffer[] {
  return [varbind(SYS_UPTIME, unsigned(0x43, uptime)), varbind(SNMP_TRAP_OID, oid(trapOid))];
}

/** A community-based (v1/v2c) message: version, community, PDU. */
export function communityMessage(opts: {
  version?: bigint | number;
  community: string;
  pduType?: number;
  requestId?: bigint | number;
  errorStatus?: bigint | number;
  errorIndex?: bigint | number;
  varbinds?: Buffer[];
}): Buffer {
  const pdu = tlv(
    opts.pduType ?? PDU.trapV2,
    Buffer.concat([
      int(opts.requestId ?? 1),
      int(opts.errorStatus ?? 0),
      int(opts.errorIndex ?? 0),
      seq(...(opts.varbinds ?? notificationVarbinds(UPS_ON_BATTERY))),
    ]),
  );
  return seq(int(opts.version ?? 1), octets(opts.community), pdu);
}
