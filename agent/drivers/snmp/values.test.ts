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

describe("varbindValue of octet strings", () => {
  const os = (bytes: number[] | string) =>
    varbindValue({
      oid: "1.3.6.1.2.1.31.1.1.1.1.1",
      type: snmp.ObjectType.OctetString!,
      value: typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes),
    });
  it.each([
    ["plain ASCII", "GigabitEthernet0/0/1", "GigabitEthernet0/0/1"],
    ["UTF-8 text (上联核心)", "上联核心", "上联核心"],
    ["trailing NUL padding", [0x65, 0x74, 0x68, 0x30, 0, 0], "eth0"],
    ["a MAC address (binary)", [0x00, 0x1b, 0x21, 0x3c, 0x9d, 0xf8], "00:1b:21:3c:9d:f8"],
    ["tab and newline kept", "a\tb\n", "a\tb\n"],
  ])("%s", (_, input, expected) => {
    expect(os(input as number[] | string)).toBe(expected);
  });
});
