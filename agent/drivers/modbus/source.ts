import { z } from "zod";

/** The four Modbus data tables: coils (FC1), discrete inputs (FC2), holding (FC3), input registers (FC4). */
export const TABLES = ["coil", "discrete", "holding", "input"] as const;
export type Table = (typeof TABLES)[number];

export const REGISTER_TYPES = [
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "uint64",
  "int64",
  "float64",
  "string",
] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

const WORDS: Record<Exclude<RegisterType, "string">, number> = {
  uint16: 1,
  int16: 1,
  uint32: 2,
  int32: 2,
  float32: 2,
  uint64: 4,
  int64: 4,
  float64: 4,
};

/**
 * `readings[].source` of a Modbus profile. Word and byte order describe how the device lays a value over
 * its registers: `wordOrder: little` is the common "CDAB" (low word first), `byteOrder: little` swaps the
 * two bytes inside each register ("BADC" with big word order).
 */
export const modbusSourceSchema = z
  .strictObject({
    table: z.enum(TABLES),
    /** Zero-based wire address (register 40001 is holding address 0). */
    address: z.number().int().min(0).max(65535),
    type: z.enum(REGISTER_TYPES).default("uint16"),
    wordOrder: z.enum(["big", "little"]).default("big"),
    byteOrder: z.enum(["big", "little"]).default("big"),
    /** Registers a string spans (two characters each); only for type string. */
    count: z.number().int().min(1).max(125).optional(),
  })
  .superRefine((src, ctx) => {
    if (src.type === "string" && src.count === undefined)
      ctx.addIssue({ code: "custom", path: ["count"], message: "a string needs count (registers it spans)" });
    if (src.type !== "string" && src.count !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["count"],
        message: `count is only for strings; ${src.type} has a fixed size`,
      });
    if ((src.table === "coil" || src.table === "discrete") && src.type !== "uint16")
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `${src.table}s are single bits; leave type out`,
      });
  });
export type ModbusSource = z.infer<typeof modbusSourceSchema>;

/** How many registers (or bits, for coils and discrete inputs) a source spans. */
export function sourceWidth(src: Pick<ModbusSource, "table" | "type" | "count">): number {
  if (src.table === "coil" || src.table === "discrete") return 1;
  return src.type === "string" ? (src.count ?? 1) : WORDS[src.type];
}

/** Human name of a source's registers for error messages, e.g. "holding 130..131". */
export function describeSpan(table: Table, address: number, width: number): string {
  const kind = table === "coil" || table === "discrete" ? table : `${table} register`;
  return width > 1 ? `${kind}s ${address}..${address + width - 1}` : `${kind} ${address}`;
}
