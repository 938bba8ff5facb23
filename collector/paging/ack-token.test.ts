import { describe, expect, it } from "vitest";
import { signAckToken, verifyAckToken } from "./ack-token.ts";

describe("acknowledge link token", () => {
  const claim = { faults: ["F-1", "F-2"], person: "zhangwei", expires: 2_000 };

  it("round-trips before expiry", () => {
    expect(verifyAckToken(signAckToken(claim, "k"), "k", 1_999)).toEqual({ ok: true, claim });
  });

  it("a group's link names the group, not its faults: as short for 1,500 faults as for one", () => {
    const group = { group: "g-AbCdEfGhIjKlMnOp", person: "zhangwei", expires: 1_764_000_000_000 };
    const token = signAckToken(group, "k");
    expect(verifyAckToken(token, "k", 0)).toEqual({ ok: true, claim: group });
    // base64url of ~60 bytes of JSON, a dot and 43 characters of HMAC-SHA256.
    expect(token.length).toBeLessThan(140);
  });

  it("expires at its expiry instant", () => {
    expect(verifyAckToken(signAckToken(claim, "k"), "k", 2_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses another secret, an edited payload and garbage", () => {
    const token = signAckToken(claim, "k");
    expect(verifyAckToken(token, "other", 0)).toEqual({ ok: false, reason: "bad_signature" });
    const forged = Buffer.from(JSON.stringify({ f: ["F-9"], p: "zhangwei", e: 2_000 })).toString("base64url");
    expect(verifyAckToken(`${forged}.${token.split(".")[1]}`, "k", 0)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyAckToken("not a token", "k", 0)).toEqual({ ok: false, reason: "malformed" });
  });
});
