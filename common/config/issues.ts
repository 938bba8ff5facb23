import type { z } from "zod";
import { didYouMean } from "./nearest.ts";

// zod keeps a schema's structure in `_zod.def`; only the parts needed to list an object's keys are read.
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  in?: Schema;
  options?: Schema[];
  discriminator?: string;
  element?: Schema;
  valueType?: Schema;
  left?: Schema;
  right?: Schema;
  getter?: () => Schema;
  values?: unknown[];
  expected?: string;
}
type Schema = { _zod: { def: Def } };

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional", "success"]);

/** The object schemas `schema` may stand for with this data (wrappers removed, union branches chosen). */
function objectsOf(schema: Schema | undefined, data: unknown, depth = 0): Schema[] {
  if (!schema || depth > 20) return [];
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type)) return objectsOf(def.innerType, data, depth + 1);
  if (def.type === "pipe") return objectsOf(def.in, data, depth + 1);
  if (def.type === "lazy" && def.getter) return objectsOf(def.getter(), data, depth + 1);
  if (def.type === "intersection") return [...objectsOf(def.left, data, depth + 1), ...objectsOf(def.right, data, depth + 1)];
  if (def.type === "union") {
    const options = def.options ?? [];
    const tag = def.discriminator && data && typeof data === "object" ? (data as Record<string, unknown>)[def.discriminator] : undefined;
    const matching = options.filter((o) =>
      objectsOf(o, data, depth + 1).some((obj) => {
        const lit = obj._zod.def.shape?.[def.discriminator ?? ""]?._zod.def;
        return lit?.values?.includes(tag);
      }),
    );
    return (matching.length ? matching : options).flatMap((o) => objectsOf(o, data, depth + 1));
  }
  return def.type === "object" ? [schema] : [];
}

/** The schema of one step down (a key of an object, an element of an array or record). */
function childOf(schema: Schema | undefined, part: string | number, data: unknown, depth = 0): Schema | undefined {
  if (!schema || depth > 20) return undefined;
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type)) return childOf(def.innerType, part, data, depth + 1);
  if (def.type === "pipe") return childOf(def.in, part, data, depth + 1);
  if (def.type === "lazy" && def.getter) return childOf(def.getter(), part, data, depth + 1);
  if (def.type === "array") return def.element;
  if (def.type === "record") return def.valueType;
  for (const obj of objectsOf(schema, data, depth + 1)) {
    const child = obj._zod.def.shape?.[String(part)];
    if (child) return child;
  }
  return undefined;
}

/** The keys the schema allows at `path`, following the data through arrays and unions. */
export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<string | number>, data: unknown): string[] {
  let s: Schema | undefined = schema as unknown as Schema;
  let d = data;
  for (const part of path) {
    s = childOf(s, part, d);
    d = d && typeof d === "object" ? (d as Record<string | number, unknown>)[part] : undefined;
  }
  return [...new Set(objectsOf(s, d).flatMap((o) => Object.keys(o._zod.def.shape ?? {})))];
}

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** What one branch of a union expected, in a few words ("a number", "one of \"a\", \"b\""). */
function branchExpectation(issues: readonly z.core.$ZodIssue[]): string | undefined {
  const first = issues[0];
  if (!first || first.path.length > 0) return undefined;
  if (first.code === "invalid_type") return `a${/^[aeiou]/.test(first.expected) ? "n" : ""} ${first.expected}`;
  if (first.code === "invalid_value") return `one of ${quoted(first.values)}`;
  return undefined;
}

/**
 * Turns zod's wording into what a person editing YAML needs to read: allowed values listed, the nearest
 * known key for a misspelt one, no library jargon. `schema` and `data` (the whole document) let it find
 * the keys allowed where an unknown key stands.
 */
export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, data: unknown): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(schema, path, data);
      const hints = issue.keys.map((k) => `${k}${didYouMean(k, known)}`);
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${hints.join(", ")} (allowed here: ${known.join(", ") || "none"})`;
    }
    case "invalid_type":
      if (issue.input === undefined) return `required: expected ${issue.expected === "object" ? "a section" : `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`}`;
      return issue.message.startsWith("Invalid input: expected")
        ? issue.message.replace("Invalid input: ", "")
        : `expected ${issue.expected}: ${issue.message}`;
    case "invalid_value":
      return `expected one of ${quoted(issue.values)}`;
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const allowed = (issue as { options?: unknown[] }).options ?? [];
        const got = path.reduce<unknown>((d, p) => (d && typeof d === "object" ? (d as Record<string | number, unknown>)[p] : undefined), data);
        return `${got === undefined ? "required" : `${JSON.stringify(got)} is not a known ${issue.discriminator}`}: expected one of ${quoted(allowed)}`;
      }
      const branches = (issue.errors ?? []).map(branchExpectation);
      if (branches.length && branches.every(Boolean)) return `expected ${[...new Set(branches)].join(" or ")}`;
      return "does not match any allowed form";
    }
    default:
      return issue.message;
  }
}
