/**
 * Inspection templates (巡检模板): a round has stops, a stop has items. Each limit an item checks
 * names its source (a standard's clause, or "practice" for vendor / operator figures).
 * Templates are YAML files in config/inspections/, validated with this schema (check-config).
 */
import { z } from "zod";
import { parseDurationSeconds } from "../../../common/duration.ts";
import { parseCron } from "./cron.ts";

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected an id of lower-case letters, digits, '_' or '-'");
const faultClass = z.enum(["major", "severe", "general"]);
/** Where a limit or an expectation comes from: "GB 50174-2017 §5.1.1", "practice (vendors)". */
const source = z.string().min(3, "name the source of this limit (a standard's clause, or practice)");

const seconds = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const value = parseDurationSeconds(raw);
  if (value === undefined || value <= 0) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 4h or 2d, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  }
  return value;
});

/** What a fault opened by an abnormal answer is about; its class comes from the policy's rules. */
const onAbnormal = z
  .strictObject({
    /** Condition name the policy's classification rules see (default inspection.abnormal). */
    condition: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, "expected a dotted condition name").optional(),
    /** Used when no policy rule matches (before the policy's default class). */
    classHint: faultClass.optional(),
    /** Device the fault is about (default: the stop's device, else the stop itself). */
    device: z.string().optional(),
  })
  .optional();

const common = {
  id,
  title: z.string().min(1),
  titleEn: z.string().min(1).optional(),
  /** Guidance shown under the item. */
  hint: z.string().optional(),
};

const yesno = z.strictObject({
  ...common,
  kind: z.literal("yesno"),
  /** The normal answer; the other one is abnormal. */
  expect: z.enum(["yes", "no"]).default("yes"),
  source,
  required: z.boolean().default(true),
  onAbnormal,
});

const range = z
  .strictObject({ min: z.number().optional(), max: z.number().optional(), source })
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: "a range needs min, max or both" })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: "min must not exceed max",
  });

const reading = z.strictObject({
  ...common,
  kind: z.literal("reading"),
  unit: z.string().min(1),
  /**
   * Normal range, both ends inclusive (18–27 °C: 18 and 27 are normal). Without one the reading is
   * recorded for comparison with earlier rounds and never abnormal by itself.
   */
  range: range.optional(),
  /** Pre-fill from the latest live reading of a device (the inspector confirms it). */
  prefill: z
    .strictObject({
      device: z.string().min(1),
      /** Canonical reading name, e.g. temperature_celsius, ups_output_load_ratio. */
      reading: z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a canonical reading name"),
      labels: z.record(z.string(), z.string()).default({}),
      /** The reading times this gives the item's unit (ratio → %: 100). */
      scale: z.number().default(1),
    })
    .optional(),
  required: z.boolean().default(true),
  onAbnormal,
});

const choice = z
  .strictObject({
    ...common,
    kind: z.literal("choice"),
    options: z.array(z.string().min(1)).min(2),
    /** The options that are normal; any other is abnormal. */
    normal: z.array(z.string().min(1)).min(1),
    source,
    required: z.boolean().default(true),
    onAbnormal,
  })
  .superRefine((c, ctx) => {
    c.normal.forEach((n, i) => {
      if (!c.options.includes(n))
        ctx.addIssue({ code: "custom", path: ["normal", i], message: `${n} is not one of the options` });
    });
  });

const text = z.strictObject({ ...common, kind: z.literal("text"), required: z.boolean().default(false) });
const photo = z.strictObject({ ...common, kind: z.literal("photo"), required: z.boolean().default(false) });

export const itemSchema = z.discriminatedUnion("kind", [yesno, reading, choice, text, photo]);

export const stopSchema = z.strictObject({
  id,
  title: z.string().min(1),
  titleEn: z.string().min(1).optional(),
  /** Where it is (a zone id of the site, or free text). */
  zone: z.string().optional(),
  /** The device this stop is about, when there is one (faults name it). */
  device: z.string().optional(),
  items: z.array(itemSchema).min(1),
});

export const templateSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    titleEn: z.string().min(1).optional(),
    /** Cron expression in the site's time zone (see cron.ts): "0 9 * * *" is 09:00 every day. */
    schedule: z.string().transform((text, ctx) => {
      const p = parseCron(text);
      if (!p.ok) {
        ctx.addIssue({ code: "custom", message: `cron: ${p.message}` });
        return z.NEVER;
      }
      return p.spec;
    }),
    /** How long after each firing the round is due; unfinished after that it is overdue. */
    due: seconds,
    /** The standard or practice the round as a whole follows. */
    basis: z.string().optional(),
    stops: z.array(stopSchema).min(1),
  })
  .superRefine((t, ctx) => {
    const stops = new Set<string>();
    t.stops.forEach((s, i) => {
      if (stops.has(s.id)) ctx.addIssue({ code: "custom", path: ["stops", i, "id"], message: `duplicate stop id ${s.id}` });
      stops.add(s.id);
      const items = new Set<string>();
      s.items.forEach((it, j) => {
        if (items.has(it.id))
          ctx.addIssue({ code: "custom", path: ["stops", i, "items", j, "id"], message: `duplicate item id ${it.id}` });
        items.add(it.id);
      });
    });
  });

export type Template = z.output<typeof templateSchema>;
export type TemplateInput = z.input<typeof templateSchema>;
export type Stop = Template["stops"][number];
export type Item = Stop["items"][number];
export type ItemKind = Item["kind"];
