import { describe, expect, it } from "vitest";
import { digestAuthorization, parseChallenge } from "./digest.ts";

describe("SIP digest authentication", () => {
  // RFC 2617 §3.5: the worked example, its response value printed in the RFC.
  it("computes RFC 2617's example response (qop=auth)", () => {
    const c = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const value = digestAuthorization(c, { username: "Mufasa", password: "Circle Of Life" }, "GET", "/dir/index.html", "0a4f113b");
    expect(value).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(value).toContain("qop=auth");
  });

  it("parses a challenge without qop, and refuses other schemes", () => {
    expect(parseChallenge('Digest realm="sip.example", nonce="abc", algorithm=MD5')).toEqual({ realm: "sip.example", nonce: "abc", algorithm: "MD5" });
    expect(parseChallenge('Basic realm="x"')).toBeUndefined();
  });
});
