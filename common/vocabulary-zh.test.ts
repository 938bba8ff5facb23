import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
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

  it("a one_hot names its state label, and has words for every state a shipped profile can give", () => {
    const dir = join(import.meta.dirname, "../config/profiles");
    const missing: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const profile = parse(readFileSync(join(dir, file), "utf8")) as {
        readings?: Array<{
          name: string;
          states?: { label: string; map: Record<string, string>; default?: string };
        }>;
      };
      for (const r of profile.readings ?? []) {
        if (!r.states) continue;
        const label = READING_LABELS[r.name];
        if (label?.unit !== "one_hot" || label.valueLabel !== r.states.label) {
          missing.push(
            `${file}: ${r.name} has states under "${r.states.label}": give it unit one_hot, valueLabel "${r.states.label}"`,
          );
          continue;
        }
        for (const v of [...Object.values(r.states.map), ...(r.states.default ? [r.states.default] : [])])
          if (!label.values?.[v])
            missing.push(`${file}: ${r.name} ${r.states.label}="${v}" has no words in values`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
    for (const [name, l] of Object.entries(READING_LABELS))
      if (l.unit === "one_hot") expect(CANONICAL_READINGS[name]!.labels, name).toContain(l.valueLabel);
  });
});
