import { z } from "zod";
import { durationSeconds } from "../../common/config/schema.ts";
import { isCanonicalReading, notCanonical } from "../../common/vocabulary.ts";

/** A reading name from the canonical vocabulary (common/vocabulary.ts); a profile cannot invent one. */
const metricName = z.string().superRefine((name, ctx) => {
  if (!isCanonicalReading(name)) ctx.addIssue({ code: "custom", message: notCanonical(name) });
});

/**
 * A label name the agent may put on /metrics: Prometheus's [a-zA-Z_][a-zA-Z0-9_]*, not one of the
 * reserved __ names, and not `device` (the agent adds it to every reading). One bad name would make
 * Prometheus refuse the agent's whole page, every device's readings with it.
 */
export const LABEL_NAME_RULE = "expected a Prometheus label name (letters, digits and _, not starting with a digit), not device and not starting with __";
export function isLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && !name.startsWith("__") && name !== "device";
}
const labelName = z.string().refine(isLabelName, LABEL_NAME_RULE);
/** Fixed labels: name → value, each name a label name. */
const labelSet = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const name of Object.keys(labels))
    if (!isLabelName(name)) ctx.addIssue({ code: "custom", path: [name], message: `${LABEL_NAME_RULE} (got "${name}")` });
});

const debounce = z.union([
  z.strictObject({ polls: z.number().int().min(1) }),
  z.strictObject({ duration: durationSeconds }),
]);

export const profileReadingSchema = z.strictObject({
  /** Canonical reading name (exported as watchfloor_<name>). */
  name: metricName,
  help: z.string().optional(),
  /** Fixed labels, e.g. {line: "1"}. */
  labels: labelSet.default({}),
  /** Where the raw value comes from; its shape belongs to the profile's driver. */
  source: z.unknown(),
  /**
   * Raw values that mean "not known" (UPS-MIB cards answering 4294967295 for the minutes remaining):
   * such a sample gives no reading rather than an absurd one.
   */
  ignore: z.array(z.union([z.string(), z.number()])).optional(),
  /** Take one bit of an integer (0 = least significant) before anything else. */
  bit: z.number().int().min(0).max(63).optional(),
  /** Raw value → canonical number, applied before scale/offset (e.g. UPS-MIB upsOutputSource 5 → 1). */
  map: z.record(z.string(), z.number()).optional(),
  /** Raw values not in `map` are an error unless a default is given. */
  mapDefault: z.number().optional(),
  /** value = raw * scale + offset. */
  scale: z.number().default(1),
  offset: z.number().default(0),
  /**
   * A unit change no scale can make, applied last: `milliwatts_to_dbm` turns optical power in mW into
   * dBm (10·log10 mW; µW sources say `scale: 0.001` first). A power of 0 or less has no dBm: no reading.
   */
  convert: z.enum(["milliwatts_to_dbm"]).optional(),
  /**
   * A state set: one series per state, labelled `label`, 1 for the current state and 0 for others
   * (e.g. ups_output_source{source="battery"}). Keys are raw values.
   */
  states: z
    .strictObject({
      label: labelName,
      map: z.record(z.string(), z.string()),
      default: z.string().default("other"),
    })
    .optional(),
});
export type ProfileReading = z.infer<typeof profileReadingSchema>;

export const OPS = ["eq", "ne", "gt", "ge", "lt", "le"] as const;
export type Op = (typeof OPS)[number];

export const profileConditionSchema = z.strictObject({
  /** Dotted, stable condition name: ups.on_battery, if.down, … */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, "expected a dotted condition name, e.g. ups.on_battery"),
  title: z.string().optional(),
  when: z.strictObject({
    reading: metricName,
    /** Only series with these labels; the remaining labels tell instances apart (ifname, line). */
    labels: z.record(z.string(), z.string()).default({}),
    op: z.enum(OPS),
    value: z.number(),
  }),
  /** Fire after this many consecutive polls or this long; default one poll. */
  fireAfter: debounce.default({ polls: 1 }),
  clearAfter: debounce.default({ polls: 1 }),
  /** Default fault class; the collector's classification rules win. */
  class: z.enum(["major", "severe", "general"]).optional(),
  /**
   * `monitored`: only ports the device config monitors (`ports:`, by default its uplinks) give instances;
   * other ports give readings but never this condition. Instances are told apart by `ifname` alone.
   */
  ports: z.literal("monitored").optional(),
});
export type ProfileCondition = z.infer<typeof profileConditionSchema>;
export type Debounce = z.infer<typeof debounce>;

/**
 * A device notification (SNMP trap) that raises or clears a condition at once, before the confirming
 * poll. Labels are taken from the trap's varbinds: label → OID prefix of the varbind carrying it.
 */
export const profileTrapSchema = z.strictObject({
  /** snmpTrapOID (v1 traps as enterprise.0.specific). */
  oid: z.string().regex(/^\.?\d+(\.\d+)+$/, "expected a numeric trap OID"),
  condition: profileConditionSchema.shape.name,
  state: z.enum(["firing", "clear"]).default("firing"),
  title: z.string().optional(),
  class: z.enum(["major", "severe", "general"]).optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type ProfileTrap = z.infer<typeof profileTrapSchema>;

export const profileSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().optional(),
  /** Where the register map or MIB comes from (document, vendor manual, RFC). */
  origin: z.string().min(1),
  driver: z.string().min(1),
  class: z.string().optional(),
  /**
   * Profiles (ids, same driver) whose readings, conditions and traps come first, e.g. a vendor switch
   * profile includes `if-mib` and adds its CPU and temperature readings.
   */
  include: z.array(z.string().min(1)).default([]),
  readings: z.array(profileReadingSchema).default([]),
  conditions: z.array(profileConditionSchema).default([]),
  /**
   * How `profile: auto` recognises a device: sysObjectID prefixes and/or OIDs (subtrees) that must
   * answer. A sysObjectID match beats a probe-only match (longest prefix first); then higher priority.
   */
  detect: z
    .strictObject({
      sysObjectID: z.array(z.string().regex(/^\.?\d+(\.\d+)+$/, "expected a numeric OID prefix")).optional(),
      probe: z.array(z.string().regex(/^\.?\d+(\.\d+)+$/, "expected a numeric OID")).optional(),
      priority: z.number().default(0),
      /**
       * A standard MIB (IF-MIB, UPS-MIB, HOST-RESOURCES, ENTITY-SENSOR): `profile: auto` adds it to whatever
       * vendor profile matched whenever its probes answer, instead of choosing between them.
       */
      standard: z.boolean().default(false),
    })
    .optional(),
  /** Traps this kind of device sends, beyond the standard ones its driver knows. */
  traps: z.array(profileTrapSchema).optional(),
});
export type Profile = z.infer<typeof profileSchema>;
