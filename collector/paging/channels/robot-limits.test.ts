import { describe, expect, it } from "vitest";
import { cutToBytes, fitText, RobotThrottle } from "./robot-limits.ts";

/** Half of a UTF-16 surrogate pair: what cutting an emoji in the middle leaves. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("cutting texts to a robot's byte limit", () => {
  it("cuts on whole code points (CJK is 3 bytes, an emoji 4 and two UTF-16 units)", () => {
    expect(cutToBytes("市电中断", 7)).toBe("市电"); // 6 bytes; a third character would need 9
    expect(cutToBytes("a🔋b", 4)).toBe("a"); // the emoji needs 4 more bytes, never half of it
    expect(cutToBytes("a🔋b", 5)).toBe("a🔋");
  });

  it("leaves a text that fits alone", () => {
    expect(fitText("短\n确认: https://x/ack/1", 2048, "https://x/ack/1")).toBe("短\n确认: https://x/ack/1");
  });

  it("keeps the acknowledge line whole and marks the cut with …", () => {
    const ack = "https://watchfloor.example.gov.cn/ack/abc.def";
    const text = `${"市电中断🔋".repeat(600)}\n确认(开始远程支持): ${ack}`;
    const cut = fitText(text, 2048, ack);
    expect(bytes(cut)).toBeLessThanOrEqual(2048);
    expect(bytes(cut)).toBeGreaterThan(2040); // not cut more than it needs
    expect(cut).not.toMatch(LONE_SURROGATE);
    expect(cut.endsWith(`…\n确认(开始远程支持): ${ack}`)).toBe(true);
  });

  it("without a link to keep, cuts the end", () => {
    const cut = fitText("x".repeat(5000), 2048);
    expect(cut).toBe(`${"x".repeat(2045)}…`);
  });
});

describe("a robot's documented rate", () => {
  it("WeCom's 20 a minute: the 21st waits until the first leaves the minute", () => {
    const t = new RobotThrottle();
    for (let i = 0; i < 20; i++) expect(t.reserve("wecom", { perMinute: 20 }, 1_000 * i)).toBe(0);
    expect(t.reserve("wecom", { perMinute: 20 }, 20_000)).toBe(40_000);
    expect(t.reserve("wecom", { perMinute: 20 }, 60_000)).toBe(0);
    // Another robot has its own window.
    expect(t.reserve("wecom-2", { perMinute: 20 }, 20_000)).toBe(0);
  });

  it("Feishu's 5 a second", () => {
    const t = new RobotThrottle();
    for (let i = 0; i < 5; i++) expect(t.reserve("fs", { perMinute: 100, perSecond: 5 }, 100 * i)).toBe(0);
    expect(t.reserve("fs", { perMinute: 100, perSecond: 5 }, 500)).toBe(500);
    expect(t.reserve("fs", { perMinute: 100, perSecond: 5 }, 1_000)).toBe(0);
  });
});
