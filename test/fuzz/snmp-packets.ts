import fc from "fast-check";
import {
  communityMessage,
  int,
  notificationVarbinds,
  nul,
  octets,
  oid,
  PDU,
  seq,
  tlv,
  unsigned,
  UPS_ON_BATTERY,
  varbind,
} from "./ber.ts";

/**
 * SNMP datagrams for the trap listener: well-formed BER carrying absurd values (integers of any
 * size, OIDs with huge arcs, every PDU type, unknown tags), v1 traps, v3 messages whose
 * authentication is wrong, and mutations of all of these (cut short, bytes flipped or inserted,
 * lengths that lie).
 */

export interface SnmpFuzzContext {
  /** Communities and v3 users the agent knows (so packets get past the first check). */
  communities: string[];
  users: string[];
}

const absurdInt = fc.oneof(
  fc.integer(),
  fc.constantFrom(0n, -1n, 2n ** 31n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n, 2n ** 40n, -(2n ** 40n), 2n ** 63n, 2n ** 64n),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
);

const arc = fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom(2n ** 32n, 2n ** 64n, 2n ** 31n - 1n));
const oidText = fc
  .tuple(fc.constantFrom(0, 1, 2), fc.nat({ max: 39 }), fc.array(arc, { maxLength: 40 }))
  .map(([a, b, rest]) => [a, b, ...rest].join("."));

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

const value: fc.Arbitrary<Buffer> = fc.oneof(
  absurdInt.map((v) => int(v)),
  fc.string({ maxLength: 200 }).map((s) => octets(s)),
  bytes(300).map((b) => octets(b)),
  fc.constant(nul()),
  oidText.map((t) => oid(t)),
  fc.tuple(fc.constantFrom(0x41, 0x42, 0x43, 0x46, 0x47), absurdInt).map(([tag, v]) => unsigned(tag, v)),
  // IpAddress with the wrong number of bytes, Opaque, the v2 exceptions with content, unknown tags.
  bytes(9).map((b) => tlv(0x40, b)),
  bytes(40).map((b) => tlv(0x44, b)),
  fc.tuple(fc.constantFrom(0x80, 0x81, 0x82), bytes(3)).map(([t, b]) => tlv(t, b)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), bytes(20)).map(([t, b]) => tlv(t, b)),
);

const varbinds = fc.oneof(
  fc.array(fc.tuple(oidText, value).map(([o, v]) => varbind(o, v)), { maxLength: 12 }),
  fc
    .tuple(oidText, fc.array(fc.tuple(oidText, value), { maxLength: 8 }))
    .map(([trapOid, rest]) => [...notificationVarbinds(trapOid), ...rest.map(([o, v]) => varbind(o, v))]),
  fc.constant(notificationVarbinds(UPS_ON_BATTERY)),
);

// Mostly what a trap listener acts on (informs are answered, so they reach the reply encoder).
const pduType = fc.oneof(
  { arbitrary: fc.constantFrom(PDU.inform, PDU.inform, PDU.trapV2, PDU.trapV2, PDU.trapV1, PDU.get), weight: 4 },
  { arbitrary: fc.constantFrom(...Object.values(PDU)), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
);

function community(ctx: SnmpFuzzContext) {
  return fc.oneof({ arbitrary: fc.constantFrom(...ctx.communities), weight: 4 }, { arbitrary: fc.string({ maxLength: 40 }), weight: 1 });
}

function v2Message(ctx: SnmpFuzzContext): fc.Arbitrary<Buffer> {
  return fc
    .record({
      version: fc.oneof({ arbitrary: fc.constantFrom(0, 1, 1, 1, 3), weight: 3 }, { arbitrary: absurdInt, weight: 1 }),
      community: community(ctx),
      pduType,
      requestId: absurdInt,
      errorStatus: absurdInt,
      errorIndex: absurdInt,
      varbinds,
    })
    .map((m) => communityMessage(m));
}

function v1Trap(ctx: SnmpFuzzContext): fc.Arbitrary<Buffer> {
  return fc
    .record({ community: community(ctx), enterprise: oidText, agent: bytes(6), generic: absurdInt, specific: absurdInt, ts: absurdInt, varbinds })
    .map((m) =>
      seq(
        int(0),
        octets(m.community),
        tlv(
          PDU.trapV1,
          Buffer.concat([oid(m.enterprise), tlv(0x40, m.agent), int(m.generic), int(m.specific), unsigned(0x43, m.ts), seq(...m.varbinds)]),
        ),
      ),
    );
}

/** SNMPv3 (RFC 3412/3414): a known or unknown user, any flags, authentication parameters that are wrong. */
function v3Message(ctx: SnmpFuzzContext): fc.Arbitrary<Buffer> {
  return fc
    .record({
      msgId: absurdInt,
      maxSize: absurdInt,
      flags: bytes(2),
      model: fc.oneof(fc.constant(3), absurdInt),
      engineId: bytes(32),
      boots: absurdInt,
      time: absurdInt,
      user: fc.oneof(fc.constantFrom(...ctx.users), fc.string({ maxLength: 40 })),
      auth: bytes(48),
      priv: bytes(16),
      encrypted: fc.boolean(),
      body: bytes(200),
      pduType,
      varbinds,
    })
    .map((m) => {
      const usm = seq(octets(m.engineId), int(m.boots), int(m.time), octets(m.user), octets(m.auth), octets(m.priv));
      const scoped = m.encrypted
        ? octets(m.body)
        : seq(octets(m.engineId), octets(""), tlv(m.pduType, Buffer.concat([int(1), int(0), int(0), seq(...m.varbinds)])));
      return seq(int(3), seq(int(m.msgId), int(m.maxSize), octets(m.flags), int(m.model)), octets(usm), scoped);
    });
}

/** A damaged copy: cut, flipped, spliced, or with a length that claims far more than there is. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: bytes(16) }),
  fc.record({ kind: fc.constant("length" as const), at: fc.nat(), long: fc.constantFrom(0x81, 0x82, 0x84, 0x88, 0xff) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(packet: Buffer, m: Mutation): Buffer {
  if (packet.length === 0) return packet;
  const at = (n: number) => n % packet.length;
  switch (m.kind) {
    case "truncate":
      return packet.subarray(0, at(m.at));
    case "flip": {
      const out = Buffer.from(packet);
      for (const i of m.at) out[at(i)]! ^= m.mask;
      return out;
    }
    case "insert": {
      const i = at(m.at);
      return Buffer.concat([packet.subarray(0, i), m.bytes, packet.subarray(i)]);
    }
    case "length": {
      // A long-form length byte with all-ones after it: "the rest is 2^32 bytes long".
      const i = at(m.at);
      const n = m.long & 0x7f;
      return Buffer.concat([packet.subarray(0, i), Buffer.from([m.long]), Buffer.alloc(Math.min(n, 8), 0xff), packet.subarray(i + 1)]);
    }
  }
}

export function snmpPacket(ctx: SnmpFuzzContext): fc.Arbitrary<Buffer> {
  const valid = fc.oneof(v2Message(ctx), v2Message(ctx), v1Trap(ctx), v3Message(ctx));
  return fc.oneof(
    valid,
    fc.tuple(valid, mutation).map(([p, m]) => mutate(p, m)),
    fc.tuple(valid, mutation, mutation).map(([p, a, b]) => mutate(mutate(p, a), b)),
    bytes(600),
  );
}

/** Reads one TLV at `offset`: its tag and where its content starts and ends (undefined when cut short). */
export function readTlv(buf: Buffer, offset: number): { tag: number; start: number; end: number } | undefined {
  if (offset + 2 > buf.length) return undefined;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4 || start + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i += 1) len = len * 256 + buf[start + i]!;
    start += n;
  }
  return start + len > buf.length ? undefined : { tag, start, end: start + len };
}

/** The request-id of a v1/v2c response (SEQUENCE { version, community, PDU { request-id … } }). */
export function responseRequestId(buf: Buffer): bigint | undefined {
  const msg = readTlv(buf, 0);
  if (msg?.tag !== 0x30) return undefined;
  const version = readTlv(buf, msg.start);
  const community = version && readTlv(buf, version.end);
  const pdu = community && readTlv(buf, community.end);
  const id = pdu && readTlv(buf, pdu.start);
  if (id?.tag !== 0x02) return undefined;
  let v = 0n;
  for (let i = id.start; i < id.end; i += 1) v = (v << 8n) | BigInt(buf[i]!);
  const bits = BigInt((id.end - id.start) * 8);
  return buf[id.start]! & 0x80 ? v - (1n << bits) : v;
}
