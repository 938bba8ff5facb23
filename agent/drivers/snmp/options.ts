import { z } from "zod";
import { secret } from "../../../common/config/schema.ts";

const oid = z
  .string()
  .regex(/^\.?\d+(\.\d+)+$/, "expected a numeric OID such as 1.3.6.1.2.1.1.3.0 (Debian ships no MIB files)")
  .transform((s) => s.replace(/^\./, ""));

/** One OID, or several tried in order (the first the device answers wins: 64-bit counters first). */
const oids = z.union([oid, z.array(oid).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const v3Schema = z
  .strictObject({
    user: z.string().min(1),
    /** Derived from which keys are given when absent. */
    level: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]).optional(),
    authProtocol: z.enum(["md5", "sha", "sha224", "sha256", "sha384", "sha512"]).optional(),
    authKey: secret.optional(),
    privProtocol: z.enum(["des", "aes", "aes256b", "aes256r"]).optional(),
    privKey: secret.optional(),
    context: z.string().default(""),
  })
  .superRefine((v, ctx) => {
    const level = v.level ?? (v.privKey ? "authPriv" : v.authKey ? "authNoPriv" : "noAuthNoPriv");
    if (level !== "noAuthNoPriv" && (!v.authKey || !v.authProtocol))
      ctx.addIssue({ code: "custom", path: ["authKey"], message: `${level} needs authProtocol and authKey` });
    if (level === "authPriv" && (!v.privKey || !v.privProtocol))
      ctx.addIssue({ code: "custom", path: ["privKey"], message: "authPriv needs privProtocol and privKey" });
    if (v.authKey && v.authKey.reveal().length < 8)
      ctx.addIssue({ code: "custom", path: ["authKey"], message: "SNMPv3 keys are at least 8 characters" });
    if (v.privKey && v.privKey.reveal().length < 8)
      ctx.addIssue({ code: "custom", path: ["privKey"], message: "SNMPv3 keys are at least 8 characters" });
  })
  .transform((v) => ({
    ...v,
    level: v.level ?? (v.privKey ? "authPriv" : v.authKey ? "authNoPriv" : "noAuthNoPriv"),
  }));

export const snmpOptionsSchema = z
  .strictObject({
    version: z.enum(["1", "2c", "3"]).default("2c"),
    /** v1/v2c community; also how traps from a shared address are told apart. */
    community: secret.optional(),
    v3: v3Schema.optional(),
    /** Per-request timeout and retries (the device's poll timeout bounds the whole poll). */
    timeoutMs: z.number().int().min(50).default(2000),
    retries: z.number().int().min(0).max(5).default(1),
    /** GetBulk rows per column per request; halved on tooBig or a lost oversized reply. */
    maxRepetitions: z.number().int().min(1).max(200).default(25),
    /** Varbinds in one GET (scalars) and columns in one GetBulk. */
    maxVarbinds: z.number().int().min(1).max(200).default(40),
    /** A walk longer than this is cut off with an error (a device that never ends a walk). */
    maxRows: z.number().int().min(1).default(5000),
  })
  .superRefine((o, ctx) => {
    if (o.version === "3" && !o.v3)
      ctx.addIssue({ code: "custom", path: ["v3"], message: "version 3 needs a v3 section (user, keys)" });
    if (o.version !== "3" && o.v3)
      ctx.addIssue({ code: "custom", path: ["version"], message: 'a v3 section needs version: "3"' });
  });
export type SnmpOptions = z.infer<typeof snmpOptionsSchema>;

/**
 * A label taken from the row: "index" (the row's index), or the value of another column at the same
 * index; in a list, the first that is not empty ([ifName, ifDescr, index]).
 */
const labelSource = z
  .union([z.literal("index"), oid, z.array(z.union([z.literal("index"), oid])).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * Divide by another column of the same row, or by the sum of several: CISCO-MEMORY-POOL-MIB gives
 * used and free but no size, so utilisation is used ÷ (used + free) — `per: { sum: [used, free] }`.
 */
const divisor = z.union([
  oid,
  z.strictObject({ sum: z.array(oid).min(2, "a sum needs at least two columns") }),
]);

const scalarSource = z.strictObject({
  get: oids,
  /** Divide by another scalar (used ÷ total → ratio); a zero or missing divisor is an error. */
  per: oid.optional(),
  /**
   * The value's decimal digits, as the device states them (Raritan PDU2-MIB inletSensorDecimalDigits: "the
   * number of digits displayed to the right of the decimal point"): divide by 10 to the power of this
   * scalar's value; a missing or negative one is an error.
   */
  digits: oid.optional(),
});
const tableSource = z.strictObject({
  /** The column to read, one sample per row; alternatives in order (ifHCInOctets before ifInOctets). */
  walk: oids,
  labels: z.record(z.string(), labelSource).default({}),
  /** Only rows whose other column has one of these values (e.g. entPhySensorType = 8, celsius). */
  where: z
    .strictObject({
      column: oid,
      in: z
        .array(z.union([z.string(), z.number()]))
        .min(1)
        .optional(),
      /** A regular expression the column's value must match (FortiGate sensor names "… Temperature"). */
      match: z
        .string()
        .refine((r) => {
          try {
            new RegExp(r);
            return true;
          } catch {
            return false;
          }
        }, "expected a regular expression")
        .optional(),
    })
    .refine((w) => w.in || w.match, "where needs `in` or `match`")
    .optional(),
  /** Multiply by the same row of another column (hrStorageUsed × hrStorageAllocationUnits → bytes). */
  times: oid.optional(),
  /**
   * Divide by the same row of another column (used ÷ size → ratio), or by the sum of the same row of
   * several (`{ sum: [used, free] }`); rows where it is 0 or missing are skipped.
   */
  per: divisor.optional(),
  /** Divide by 10 to the power of the same row of this column; rows without it are skipped. */
  digits: oid.optional(),
});

export const snmpSourceSchema = z.union([scalarSource, tableSource]);
export type SnmpSource = z.infer<typeof snmpSourceSchema>;
export type TableSource = z.infer<typeof tableSource>;
