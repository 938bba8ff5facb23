/**
 * The SLA / classification policy. Defaults are the service contract's figures, so an empty
 * policy file (or none) means: major respond 30 min + resolve 24 h, severe resolve 2 h,
 * general resolve 24 h, strict "小于" comparison, quarterly KPI target 1, 1 % of ¥6,468,000.
 */
import { z } from "zod";
import { parseDurationSeconds } from "../../common/duration.ts";

/** Seconds, written as a number or "30m" / "2h" / "1d". */
const seconds = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const value = parseDurationSeconds(raw);
  if (value === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 30m, 2h or 1800, got ${JSON.stringify(raw)}`,
    });
    return z.NEVER;
  }
  return value;
});

/** A deadline in seconds, or null for "this class has no such deadline". */
const deadline = seconds.nullable();

const faultClass = z.enum(["major", "severe", "general"]);

const classDeadlines = (respond: number | null, resolve: number | null) =>
  z.strictObject({ respond: deadline.default(respond), resolve: deadline.default(resolve) }).prefault({});

const timeZone = z
  .string()
  .default("Asia/Shanghai")
  .refine(
    (tz) => {
      try {
        Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: "expected an IANA time zone such as Asia/Shanghai" },
  );

export const classificationRuleSchema = z.strictObject({
  match: z
    .strictObject({
      deviceClass: z.union([z.string(), z.array(z.string())]).optional(),
      criticality: z
        .union([z.enum(["high", "medium", "low"]), z.array(z.enum(["high", "medium", "low"]))])
        .optional(),
      zone: z.union([z.string(), z.array(z.string())]).optional(),
      /** Exact name or glob ("ups.*"). */
      condition: z.union([z.string(), z.array(z.string())]).optional(),
      /** The fault plus the children folded into it. */
      minAffectedDevices: z.number().int().min(1).optional(),
    })
    .default({}),
  class: faultClass,
  /** Resolve the fault when the condition clears (false: a person resolves it). */
  autoResolve: z.boolean().default(true),
});

export const DEFAULT_RULES: z.input<typeof classificationRuleSchema>[] = [
  { match: { condition: "trunk.down" }, class: "major" },
  { match: { minAffectedDevices: 10 }, class: "major" },
  { match: { condition: ["link.down", "device.unreachable"], criticality: "high" }, class: "major" },
  { match: { condition: ["env.water_leak", "env.smoke_alarm"] }, class: "major" },
  { match: { condition: "ups.*", criticality: ["high", "medium"] }, class: "severe" },
  {
    match: { condition: ["device.unreachable", "link.down", "if.down"], criticality: "medium" },
    class: "severe",
  },
  { match: { condition: "env.temperature_high" }, class: "severe" },
];

const policyFields = z.strictObject({
  timezone: timeZone,
  deadlineComparison: z.enum(["strict", "inclusive"]).default("strict"),
  deadlines: z
    .strictObject({
      major: classDeadlines(1800, 86400),
      severe: classDeadlines(null, 7200),
      general: classDeadlines(null, 86400),
    })
    .prefault({}),
  classification: z
    .strictObject({
      rules: z.array(classificationRuleSchema).prefault(DEFAULT_RULES),
      default: faultClass.default("general"),
    })
    .prefault({}),
  reopenWithinSeconds: seconds.default(600),
  windows: z
    .strictObject({
      noticeSeconds: seconds.default(172800),
      lateNoticeCountsAsPlanned: z.boolean().default(false),
    })
    .prefault({}),
  dependencies: z
    .strictObject({
      foldGraceSeconds: seconds.default(120),
      childConditions: z.array(z.string()).default(["device.unreachable"]),
      parentConditions: z
        .array(z.string())
        .default(["device.unreachable", "link.down", "if.down", "ups.output_off", "ups.battery_depleted"]),
    })
    .prefault({}),
  exemptions: z.strictObject({ requestWithinSeconds: seconds.default(15 * 86400) }).prefault({}),
  kpi: z
    .strictObject({
      target: z.number().min(0).max(1).default(1),
      contractTotalCny: z.number().min(0).default(6468000),
      deductionRate: z.number().min(0).max(1).default(0.01),
      /**
       * Conditions (exact or glob) whose faults stay in the record, are paged and tracked, but are not
       * equipment faults the contract assesses: they count in no KPI. Default: the collector's own
       * administrative reminder that the on-call roster is missing.
       */
      excludeConditions: z.array(z.string().min(1)).default(["roster.missing"]),
    })
    .prefault({}),
  /**
   * A resolved fault is archived (frozen, its events dropped from the working log) this long after
   * its resolution; null: never. Must exceed every window in which the fault could still change.
   */
  archive: z.strictObject({ afterSeconds: seconds.nullable().default(16 * 86400) }).prefault({}),
});

/** The longest time after a resolution during which the fault can still change (archive.ts). */
export function changeWindowSeconds(p: Pick<Policy, "reopenWithinSeconds" | "exemptions" | "dependencies">) {
  return Math.max(p.reopenWithinSeconds, p.exemptions.requestWithinSeconds, p.dependencies.foldGraceSeconds);
}

export const policySchema = policyFields.superRefine((p, ctx) => {
  const after = p.archive.afterSeconds;
  const min = changeWindowSeconds(p);
  if (after !== null && after <= min)
    ctx.addIssue({
      code: "custom",
      path: ["archive", "afterSeconds"],
      message: `archive.afterSeconds must be more than ${min} s (reopen, exemption and fold windows), got ${after}`,
    });
});

export type Policy = z.output<typeof policyFields>;
export type ClassificationRule = Policy["classification"]["rules"][number];

export const defaultPolicy: Policy = policySchema.parse({});
