import { describe, expect, it } from "vitest";
import { snmp } from "./netsnmp.ts";
import { varbindValue } from "./values.ts";

const c64 = (hex: string) =>
  varbindValue({
    oid: "1.3.6.1.2.1.31.1.1.1.6.1",
    type: snmp.ObjectType.Counter64!,
    value: Buffer.from(hex, "hex"),
  });

describe("varbindValue", () => {
  // Expected values are the octets read as a big-endian unsigned number (RFC 2578 Counter64), by hand.
  it.each([
    ["", 0n],
    ["00", 0n],
    ["123456", 0x123456n],
    ["ffffffffffff", 281474976710655n],
    ["01000000000000", 281474976710656n],
    ["ffffffffffffffff", 18446744073709551615n],
    ["00ffffffffffffffff", 18446744073709551615n],
  ])("reads Counter64 octets %s exactly", (hex, expected) => {
    expect(c64(hex)).toBe(expected);
  });
});
