/**
 * Users' review: every fault title from a profile read "语音中继中断 / SIP trunk not answering" in the
 * Chinese UI, and the English UI kept the Chinese. The profiles write titles in both languages; the
 * reader gets theirs. The expected words are the shipped profiles' own (config/profiles/sip-trunk.yaml).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readableTitle, titleIn } from "../../collector/http/ui/conditions.ts";
import { ROOT } from "../harness/process.ts";

describe("a title written in both languages is shown in the reader's", () => {
  it("the SIP trunk profile's trunk.down title, on a card in Chinese and in English", () => {
    const profile = parse(readFileSync(join(ROOT, "config/profiles/sip-trunk.yaml"), "utf8")) as {
      conditions: Array<{ name: string; title: string }>;
    };
    const title = profile.conditions.find((c) => c.name === "trunk.down")!.title;
    const [zh, en] = title.split(" / ");
    const f = { title, condition: "trunk.down", device: "trunk-ct" };
    expect(readableTitle(f, "语音中继", "zh")).toBe(zh);
    expect(readableTitle(f, "语音中继", "en")).toBe(en);
  });

  it.each([
    ["UPS 过载", "UPS 过载"],
    ["机房 / 坐席区 空调漏水", "机房 / 坐席区 空调漏水"],
    ["uplink / downlink flapping", "uplink / downlink flapping"],
    ["巡检异常：进风温度 30 °C", "巡检异常：进风温度 30 °C"],
  ])("a title in one language stays as written: %s", (title, shown) => {
    expect(titleIn(title, "zh")).toBe(shown);
    expect(titleIn(title, "en")).toBe(shown);
  });
});
