import { describe, expect, it } from "vitest";
import { CANONICAL_READINGS } from "./vocabulary.ts";
import { READING_LABELS, type UnitDisplay } from "./vocabulary-zh.ts";

/** The displays a name's base-unit suffix allows (the first rule that matches). */
const BY_SUFFIX: Array<[RegExp, readonly UnitDisplay[]]> = [
  [/_seconds$/, ["duration", "hours"]],
  [/_ratio$/, ["percent"]],
  [/_celsius$/, ["celsius"]],
  [/_volts$/, ["volts"]],
  [/_amperes$/, ["amperes"]],
  [/_watt_hours_total$/, ["watt_hours"]],
  [/_watts$/, ["watts"]],
  [/_hertz$/, ["hertz"]],
  [/_rpm$/, ["rpm"]],
  [/_pixels$/, ["pixels"]],
  [/_(bytes|octets_total)$/, ["bytes"]],
  [/_bits_per_second$/, ["bits_per_second"]],
  [/_total$/, ["number"]],
  [/_code$/, ["code"]],
  [/./, ["flag", "one_hot", "info", "number"]],
];

describe("the Chinese reading labels (common/vocabulary-zh.ts)", () => {
  it("label every canonical reading, and nothing else", () => {
    const vocabulary = Object.keys(CANONICAL_READINGS).sort();
    expect(vocabulary.filter((n) => !Object.hasOwn(READING_LABELS, n))).toEqual([]);
    expect(Object.keys(READING_LABELS).filter((n) => !Object.hasOwn(CANONICAL_READINGS, n))).toEqual([]);
  });

  it("every label is written in Chinese (at least one Han character)", () => {
    const notChinese = Object.entries(READING_LABELS).filter(([, l]) => !/\p{Script=Han}/u.test(l.zh));
    expect(notChinese.map(([n]) => n)).toEqual([]);
  });

  it("every display fits the unit the name ends in (_seconds a duration, _ratio a percentage…)", () => {
    const misfits = Object.entries(READING_LABELS).filter(([name, l]) => {
      const allowed = BY_SUFFIX.find(([re]) => re.test(name))![1];
      return !allowed.includes(l.unit);
    });
    expect(misfits.map(([n, l]) => `${n}: ${l.unit}`)).toEqual([]);
  });

  it("state words belong to 0/1 flags only", () => {
    const stray = Object.entries(READING_LABELS).filter(([, l]) => l.states && l.unit !== "flag");
    expect(stray.map(([n]) => n)).toEqual([]);
  });
});
