import { describe, expect, it } from "vitest";
import { cutToBytes, fitPage, fitText, RobotThrottle } from "./robot-limits.ts";

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

describe("fitting a page that lists faults: cut the list, never the link", () => {
  /** A page as message.ts lays it out: title, a block per fault, then the plans and the link. */
  const page = (titles: string[], link: string) => {
    const head = "[重大] 新故障 · device.unreachable ×" + titles.length;
    const blocks = titles.map((t, i) => `\n\n故障 F-${i + 1} · ${t}`);
    const tail = `\n\n确认(开始远程支持): ${link}`;
    const ends: number[] = [];
    let at = head.length;
    for (const b of blocks) {
      at += b.length;
      ends.push(at);
    }
    return { text: head + blocks.join("") + tail, ackUrl: link, layout: { head: head.length, faults: ends } };
  };
  const link = "https://x.example/ack/abc.def";

  it("lists the faults that fit, then how many more, then the link", () => {
    // Each block is 46 bytes: "\n\n" 2, "故障" 6, " F-n " 5, "·" (U+00B7) 2, " " 1, ten CJK characters 30.
    const msg = page(Array(9).fill("设备无应答设备无应答"), link);
    const head = bytes("[重大] 新故障 · device.unreachable ×9");
    const tail = bytes(`\n\n确认(开始远程支持): ${link}`);
    const more = (n: number) => bytes(`\n\n…及其他 ${n} 条 / and ${n} more`);
    // Room for exactly three blocks and the "6 more" line.
    const limit = head + 3 * 46 + more(6) + tail;
    const fitted = fitPage(msg, limit);
    expect(bytes(fitted)).toBeLessThanOrEqual(limit);
    expect(fitted).toBe(
      `[重大] 新故障 · device.unreachable ×9\n\n故障 F-1 · 设备无应答设备无应答\n\n故障 F-2 · 设备无应答设备无应答\n\n故障 F-3 · 设备无应答设备无应答\n\n…及其他 6 条 / and 6 more\n\n确认(开始远程支持): ${link}`,
    );
    expect(fitPage(msg, 100_000)).toBe(msg.text);
  });

  it("one fault too long to fit whole is cut with …, keeping the count and the link", () => {
    const fitted = fitPage(page(["市电中断🔋".repeat(600), "短"], link), 2048);
    expect(bytes(fitted)).toBeLessThanOrEqual(2048);
    expect(bytes(fitted)).toBeGreaterThan(2040);
    expect(fitted).not.toMatch(LONE_SURROGATE);
    expect(fitted.endsWith(`…\n\n…及其他 1 条 / and 1 more\n\n确认(开始远程支持): ${link}`)).toBe(true);
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
