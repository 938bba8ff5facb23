/** Checking one answer against its item: is it well-formed, and is it normal? (pure) */
import type { Item } from "./template.ts";

/** yes/no → boolean, reading → number, choice and text → string, photo → sha256 of the photo. */
export type AnswerValue = boolean | number | string;

export type AnswerCheck =
  | { ok: true; abnormal: false }
  | { ok: true; abnormal: true; reason: string; reasonEn: string; source: string }
  | { ok: false; code: "BAD_ANSWER"; message: string };

const SHA256 = /^[0-9a-f]{64}$/;

function bad(message: string): AnswerCheck {
  return { ok: false, code: "BAD_ANSWER", message };
}

function fmt(n: number): string {
  return String(Number(n.toFixed(6)));
}

/**
 * A reading is normal when min ≤ value ≤ max (both ends inclusive: the reference's "18–27 °C"
 * includes 18 and 27). The reason names the limit and its source.
 */
export function checkAnswer(item: Item, value: AnswerValue): AnswerCheck {
  switch (item.kind) {
    case "yesno": {
      if (typeof value !== "boolean") return bad(`${item.id}: expected yes or no (true/false)`);
      const expected = item.expect === "yes";
      if (value === expected) return { ok: true, abnormal: false };
      return {
        ok: true,
        abnormal: true,
        reason: `${item.title}：${value ? "是" : "否"}（应为${expected ? "是" : "否"}）`,
        reasonEn: `${item.titleEn ?? item.title}: ${value ? "yes" : "no"} (expected ${item.expect})`,
        source: item.source,
      };
    }
    case "reading": {
      if (typeof value !== "number" || !Number.isFinite(value))
        return bad(`${item.id}: expected a number in ${item.unit}`);
      if (!item.range) return { ok: true, abnormal: false };
      const { min, max, source } = item.range;
      const unit = item.unit === "%" ? " %" : ` ${item.unit}`;
      if (min !== undefined && value < min)
        return {
          ok: true,
          abnormal: true,
          reason: `${item.title} ${fmt(value)}${unit} 低于下限 ${fmt(min)}${unit}（${source}）`,
          reasonEn: `${item.titleEn ?? item.title} ${fmt(value)}${unit} below ${fmt(min)}${unit} (${source})`,
          source,
        };
      if (max !== undefined && value > max)
        return {
          ok: true,
          abnormal: true,
          reason: `${item.title} ${fmt(value)}${unit} 高于上限 ${fmt(max)}${unit}（${source}）`,
          reasonEn: `${item.titleEn ?? item.title} ${fmt(value)}${unit} above ${fmt(max)}${unit} (${source})`,
          source,
        };
      return { ok: true, abnormal: false };
    }
    case "choice": {
      if (typeof value !== "string" || !item.options.includes(value))
        return bad(`${item.id}: expected one of ${item.options.join(", ")}`);
      if (item.normal.includes(value)) return { ok: true, abnormal: false };
      return {
        ok: true,
        abnormal: true,
        reason: `${item.title}：${value}（正常为 ${item.normal.join(" / ")}）`,
        reasonEn: `${item.titleEn ?? item.title}: ${value} (normal: ${item.normal.join(" / ")})`,
        source: item.source,
      };
    }
    case "text":
      if (typeof value !== "string" || value.length > 4000) return bad(`${item.id}: expected text (at most 4000 characters)`);
      return { ok: true, abnormal: false };
    case "photo":
      if (typeof value !== "string" || !SHA256.test(value))
        return bad(`${item.id}: expected the sha256 (64 hex digits) of an uploaded photo`);
      return { ok: true, abnormal: false };
  }
}

export function isPhotoHash(text: string): boolean {
  return SHA256.test(text);
}
