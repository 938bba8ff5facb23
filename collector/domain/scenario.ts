/**
 * Scenario files for `watchfloor replay`: JSON Lines, one object per line with "type" and "at"
 * (ISO 8601 with offset). Blank lines and lines starting with "#" are skipped. Besides the
 * timeline types, a "device" line declares a device (class, zone, criticality, dependsOn).
 */
import { z } from "zod";
import { parseInstant } from "./time-format.ts";
import type { Command, DeviceInfo } from "./types.ts";

export type ScenarioLine =
  | { line: number; kind: "device"; device: DeviceInfo }
  | { line: number; kind: "command"; at: number; command: Command };

export type ParsedScenario =
  | { ok: true; lines: ScenarioLine[] }
  | { ok: false; line: number; message: string };

const instant = z.string().transform((text, ctx) => {
  const t = parseInstant(text);
  if (t === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected an ISO 8601 time with offset such as 2026-03-31T23:59:30+08:00, got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  return t;
});
const text = z.string().min(1);
const faultClass = z.enum(["major", "severe", "general"]);
const labels = z.record(z.string(), z.string());
const faultRef = z.union([
  text,
  z.strictObject({ device: text, condition: text, labels: labels.optional() }),
]);
const base = { at: instant };
const by = { by: text };

const schemas = {
  condition: z.strictObject({
    type: z.literal("condition"),
    ...base,
    device: text,
    condition: text,
    state: z.enum(["firing", "clear"]),
    class: faultClass.optional(),
    labels: labels.optional(),
    title: text.optional(),
    eventId: text.optional(),
  }),
  open: z.strictObject({
    type: z.literal("open"),
    ...base,
    id: text,
    device: text,
    class: faultClass,
    title: text,
    by: text.default("scenario"),
  }),
  ack: z.strictObject({
    type: z.literal("ack"),
    ...base,
    fault: faultRef,
    ...by,
    note: z.string().optional(),
  }),
  resolve: z.strictObject({
    type: z.literal("resolve"),
    ...base,
    fault: faultRef,
    ...by,
    note: z.string().optional(),
  }),
  close: z.strictObject({ type: z.literal("close"), ...base, fault: faultRef, ...by }),
  comment: z.strictObject({ type: z.literal("comment"), ...base, fault: faultRef, ...by, text }),
  reclassify: z.strictObject({
    type: z.literal("reclassify"),
    ...base,
    fault: faultRef,
    class: faultClass,
    ...by,
    reason: text,
  }),
  window: z.strictObject({
    type: z.literal("window"),
    ...base,
    id: text,
    devices: z.array(text).default([]),
    zones: z.array(text).optional(),
    start: instant,
    end: instant,
    announced: instant,
    reason: z.string().default(""),
    by: text.default("scenario"),
  }),
  exempt: z.strictObject({
    type: z.literal("exempt"),
    ...base,
    fault: faultRef,
    reason: text,
    evidence: z.string().optional(),
    ...by,
  }),
  approve: z.strictObject({
    type: z.literal("approve"),
    ...base,
    fault: faultRef,
    ...by,
    reason: z.string().optional(),
  }),
  reject: z.strictObject({
    type: z.literal("reject"),
    ...base,
    fault: faultRef,
    ...by,
    reason: z.string().optional(),
  }),
  tick: z.strictObject({ type: z.literal("tick"), ...base }),
  device: z.strictObject({
    type: z.literal("device"),
    id: text,
    class: text.default("other"),
    zone: text.optional(),
    criticality: z.enum(["high", "medium", "low"]).default("medium"),
    dependsOn: z.array(text).default([]),
  }),
};

type LineType = keyof typeof schemas;
const TYPES = Object.keys(schemas) as LineType[];

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  let message = issue.message;
  if (issue.code === "unrecognized_keys")
    message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  else if (issue.code === "invalid_value")
    message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  else if (issue.code === "invalid_type") message = message.replace("Invalid input: ", "");
  return path ? `${path}: ${message}` : message;
}

function toLine(line: number, v: z.output<(typeof schemas)[LineType]>): ScenarioLine {
  if (v.type === "device") {
    const device: DeviceInfo = {
      id: v.id,
      class: v.class,
      criticality: v.criticality,
      dependsOn: v.dependsOn,
    };
    if (v.zone !== undefined) device.zone = v.zone;
    return { line, kind: "device", device };
  }
  const cmd = toCommand(line, v);
  return { line, kind: "command", at: cmd.at, command: cmd };
}

function toCommand(
  line: number,
  v: Exclude<z.output<(typeof schemas)[LineType]>, { type: "device" }>,
): Command {
  switch (v.type) {
    case "condition": {
      const { class: hint, eventId, type, ...rest } = v;
      return { type, ...rest, eventId: eventId ?? `line:${line}`, ...(hint ? { classHint: hint } : {}) };
    }
    case "open": {
      const { id, ...rest } = v;
      return { ...rest, faultId: id };
    }
    case "window": {
      const { id, ...rest } = v;
      return { ...rest, windowId: id };
    }
    default:
      return v;
  }
}

export function parseScenario(source: string): ParsedScenario {
  const lines: ScenarioLine[] = [];
  const rows = source.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    const line = i + 1;
    if (row === "" || row.startsWith("#")) continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (err) {
      return { ok: false, line, message: `expected one JSON object per line (${(err as Error).message})` };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, line, message: "expected a JSON object" };
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== "string" || !TYPES.includes(type as LineType)) {
      return {
        ok: false,
        line,
        message: `type: expected one of ${TYPES.join(", ")}, got ${JSON.stringify(type)}`,
      };
    }
    const parsed = schemas[type as LineType].safeParse(value);
    if (!parsed.success) return { ok: false, line, message: parsed.error.issues.map(describe).join("; ") };
    lines.push(toLine(line, parsed.data));
  }
  return { ok: true, lines };
}
