/**
 * A device's live readings as a person reads them: the label from common/vocabulary-zh.ts, the value in
 * a sensible unit (runtime in 小时/分钟, a ratio as %, °C), instances named by their labels ("线路 1").
 * Pure: the fault page and the board cards render what this returns.
 */
import { READING_LABELS, type ReadingLabel } from "../../../common/vocabulary-zh.ts";
import type { Sample } from "../../inspections/live-readings.ts";
import { labelName } from "./conditions.ts";
import type { Lang } from "./i18n.ts";

/** "1,234.5": at most `digits` decimals, thousands grouped. */
function num(x: number, digits: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const DURATION_WORDS = {
  zh: { ms: "毫秒", s: "秒", min: "分钟", h: "小时", d: "天" },
  en: { ms: "ms", s: "s", min: "min", h: "h", d: "d" },
} as const;

/** Seconds in the largest fitting units, two at most: 146 毫秒, 45 秒, 30 分钟, 9 小时 4 分钟, 3 天 2 小时. */
export function readingDuration(seconds: number, lang: Lang): string {
  const u = DURATION_WORDS[lang];
  const sign = seconds < 0 ? "-" : "";
  const abs = Math.abs(seconds);
  if (abs === 0) return `0 ${u.s}`;
  if (abs < 1) return `${sign}${num(abs * 1000, abs < 0.01 ? 1 : 0)} ${u.ms}`;
  if (abs < 60) return `${sign}${num(abs, abs < 10 ? 1 : 0)} ${u.s}`;
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    `${sign}${big} ${bigUnit}${small ? ` ${small} ${smallUnit}` : ""}`;
  const whole = Math.floor(abs);
  if (whole < 3600) return pair(Math.floor(whole / 60), u.min, whole % 60, u.s);
  if (whole < 86400) return pair(Math.floor(whole / 3600), u.h, Math.floor((whole % 3600) / 60), u.min);
  return pair(Math.floor(whole / 86400), u.d, Math.floor((whole % 86400) / 3600), u.h);
}

/** 1024-based sizes, as operating systems show memory and disks. */
function bytes(x: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = x;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${num(v, i === 0 ? 0 : 1)} ${units[i]}`;
}

function bitsPerSecond(x: number): string {
  const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
  let v = x;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${num(v, 1)} ${units[i]}`;
}

/** One value of a reading, in words and units (a one_hot's value is its state label, see readingRows). */
export function formatReading(label: ReadingLabel, value: number, lang: Lang): string {
  const zh = lang === "zh";
  switch (label.unit) {
    case "duration":
      return readingDuration(value, lang);
    case "hours":
      return `${num(value / 3600, value < 36000 ? 1 : 0)} ${zh ? "小时" : "h"}`;
    case "percent":
      return `${num(value * 100, 1)} %`;
    case "celsius":
      return `${num(value, 1)} °C`;
    case "volts":
      return `${num(value, 1)} V`;
    case "amperes":
      return `${num(value, 2)} A`;
    case "watts":
      return Math.abs(value) >= 10_000 ? `${num(value / 1000, 1)} kW` : `${num(value, 0)} W`;
    case "watt_hours":
      return `${num(value / 1000, 1)} kWh`;
    case "hertz":
      return `${num(value, 2)} Hz`;
    case "rpm":
      return `${num(value, 0)} ${zh ? "转/分" : "rpm"}`;
    case "pixels":
      return `${num(value, 0)} ${zh ? "像素" : "px"}`;
    case "bytes":
      return bytes(value);
    case "bits_per_second":
      return bitsPerSecond(value);
    case "code":
      return String(value);
    case "flag": {
      const words = label.states?.[lang] ?? (zh ? ["否", "是"] : ["no", "yes"]);
      return value === 0 ? words[0] : value === 1 ? words[1] : num(value, 2);
    }
    default:
      return num(value, 2);
  }
}

export interface ReadingRow {
  /** The canonical name. */
  name: string;
  /** "电池剩余时间". */
  label: string;
  /** One per instance: "线路 1" (empty for a device-wide reading) and the value in words. */
  values: Array<{ instance: string; text: string }>;
}

/** Labels that tell instances apart (for a one_hot, without the state label). */
function instanceLabels(s: Sample, label: ReadingLabel): Array<[string, string]> {
  return Object.entries(s.labels)
    .filter(([k]) => k !== label.valueLabel)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const byNumberThenText = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * The rows a person reads, `first` first, then in the vocabulary's order: one row per reading, its
 * instances in it. Names
 * outside the labelled vocabulary (the agent's own counters) are left out; a one_hot reads as the state
 * that is 1; an `info` as its labels.
 */
export function readingRows(
  samples: readonly Sample[],
  lang: Lang,
  first: readonly string[] = [],
): ReadingRow[] {
  const rows = new Map<string, Map<string, string>>();
  for (const s of samples) {
    const label = READING_LABELS[s.name];
    if (!label || !Number.isFinite(s.value)) continue;
    const inst = instanceLabels(s, label);
    let text: string;
    if (label.unit === "one_hot") {
      if (s.value !== 1) continue;
      const state = s.labels[label.valueLabel ?? ""] ?? "";
      text = label.values?.[state]?.[lang] ?? state;
    } else if (label.unit === "info") {
      text = inst
        .filter(([k]) => k !== "tile")
        .map(([, v]) => v)
        .filter((v) => v !== "")
        .join(" · ");
    } else text = formatReading(label, s.value, lang);
    const instance = (label.unit === "info" ? inst.filter(([k]) => k === "tile") : inst)
      .map(([k, v]) => `${labelName(k, lang)} ${v}`)
      .join(" ");
    const row = rows.get(s.name) ?? new Map<string, string>();
    rows.set(s.name, row);
    row.set(instance, text);
  }
  const order = [...first, ...Object.keys(READING_LABELS).filter((n) => !first.includes(n))];
  return [...rows.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([name, values]) => {
      const label = READING_LABELS[name]!;
      return {
        name,
        label: lang === "zh" ? label.zh : (label.en ?? name),
        values: [...values.entries()]
          .sort(([a], [b]) => byNumberThenText(a, b))
          .map(([instance, text]) => ({ instance, text })),
      };
    });
}
