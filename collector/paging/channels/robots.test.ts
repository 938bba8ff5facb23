import { describe, expect, it } from "vitest";
import { dingtalkSign, feishuSign, fillTemplate } from "./robots.ts";

describe("robot signatures (vectors computed with openssl, independently of this code)", () => {
  it("DingTalk 加签: HmacSHA256(secret, timestamp\\nsecret), base64", () => {
    // printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
    expect(dingtalkSign(1_700_000_000_000, "SECtest")).toBe("aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
  });

  it("Feishu 签名校验: HmacSHA256(key = timestamp\\nsecret, empty message), base64", () => {
    // printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nfeishu-secret')" -binary | base64
    expect(feishuSign(1_700_000_000, "feishu-secret")).toBe("OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=");
  });
});

describe("SMS request template", () => {
  it("escapes values inside a JSON body", () => {
    expect(
      fillTemplate(
        '{"to":"{{mobile}}","content":"{{text}}"}',
        { mobile: "138", text: 'a "b"\nc' },
        "application/json",
      ),
    ).toBe('{"to":"138","content":"a \\"b\\"\\nc"}');
  });

  it("URL-encodes values in a form body and leaves unknown placeholders alone", () => {
    expect(
      fillTemplate(
        "to={{mobile}}&msg={{text}}&x={{nope}}",
        { mobile: "138", text: "故障 a&b" },
        "application/x-www-form-urlencoded",
      ),
    ).toBe(`to=138&msg=${encodeURIComponent("故障 a&b")}&x={{nope}}`);
  });
});
