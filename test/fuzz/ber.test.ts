import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { snmptrapMissing } from "../peers/snmptrap.ts";
import { communityMessage, int, notificationVarbinds, oid, UPS_ON_BATTERY } from "./ber.ts";

/** The tests' BER encoder against X.690's examples and Debian's snmptrap (Net-SNMP, in C). */
describe("BER encoder", () => {
  it("encodes INTEGERs in minimal two's complement (X.690 §8.3)", () => {
    expect(int(0).toString("hex")).toBe("020100");
    expect(int(127).toString("hex")).toBe("02017f");
    expect(int(128).toString("hex")).toBe("02020080");
    expect(int(-128).toString("hex")).toBe("020180");
    expect(int(-129).toString("hex")).toBe("0202ff7f");
    expect(int(2n ** 40n).toString("hex")).toBe("02060100000000" + "00");
  });

  it("encodes OIDs base-128 (X.690 §8.19 example 2.100.3 → 81 34 03)", () => {
    expect(oid("2.100.3").toString("hex")).toBe("0603813403");
    expect(oid("1.3.6.1.2.1.33.2.1").toString("hex")).toBe("06082b06010201210201");
  });
});

const missing = snmptrapMissing();

describe.skipIf(skipWithout(missing, "BER encoder against snmptrap"))("BER encoder against snmptrap", () => {
  it("builds the same bytes as `snmptrap -v2c -d` for upsTrapOnBattery", () => {
    // -d dumps the packet it sends; port 9 (discard) on loopback, nobody needs to listen.
    const run = spawnSync("snmptrap", ["-d", "-v2c", "-c", "public", "127.0.0.1:9", "1234", UPS_ON_BATTERY], {
      encoding: "utf8",
    });
    const out = run.stdout + run.stderr;
    // Lines are "0000: 30 43 02 01  01 04 …    0C.....": offset, hex bytes, then the ASCII after a wide gap.
    const hex = [...out.matchAll(/^\d{4}: (.*)$/gm)].map((m) => m[1]!.split(/\s{3,}/)[0]!.replace(/\s+/g, "")).join("");
    const sent = Buffer.from(hex, "hex");
    // The request-id is random: read it from the packet (30 LL 02 01 01 04 06 public A7 LL 02 04 <id>).
    const requestId = sent.readIntBE(17, sent[16]!);
    const ours = communityMessage({ community: "public", requestId, varbinds: notificationVarbinds(UPS_ON_BATTERY, 1234) });
    expect(ours.toString("hex")).toBe(sent.toString("hex"));
  });
});
