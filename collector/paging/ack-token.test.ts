import { describe, expect, it } from "vitest";
import { signAckToken, verifyAckToken } from "./ack-token.ts";

describe("acknowledge link token", () => {
  const claim = { faults: ["F-1", "F-2"], person: "zhangwei", expires: 2_000 };

  it("round-trips before expiry", () => {
    expect(verifyAckToken(signAckToken(claim, "k"), "k", 1_999)).toEqual({ ok: true, claim });
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
