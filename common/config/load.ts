import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

export interface ConfigError {
  file: string;
  /** YAML path such as devices[2].address ("" for the whole document). */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** Finds the line and column of a YAML path (or of its nearest existing parent). */
export type Locate = (path: ReadonlyArray<string | number>) => { line?: number; column?: number };

export type Loaded<T> = { ok: true; value: T; locate: Locate } | { ok: false; errors: ConfigError[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function formatConfigError(e: ConfigError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `${where}: ${e.path || "(document)"}: ${e.message}`;
}

/** Turns zod's wording into what a person editing YAML needs to read. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (not allowed here)`;
    case "invalid_type":
      return issue.message.startsWith("Invalid input: expected")
        ? issue.message.replace("Invalid input: ", "")
        : `expected ${issue.expected}: ${issue.message}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

/** Parses YAML text and validates it, collecting every error with its path and line. */
export function parseConfigText<S extends z.ZodType>(file: string, text: string, schema: S): Loaded<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return { file, path: "", line: pos.line, column: pos.col, message: `YAML syntax: ${err.message.split("\n")[0]}` };
      }),
    };
  }
  const locate: Locate = (path) => {
    let node: unknown;
    for (let depth = path.length; depth >= 0 && !isNode(node); depth--) node = doc.getIn(path.slice(0, depth), true);
    const range = isNode(node) ? node.range : undefined;
    const pos = range ? lineCounter.linePos(range[0]) : undefined;
    return { line: pos?.line, column: pos?.col };
  };
  const result = schema.safeParse(doc.toJS() ?? {});
  if (result.success) return { ok: true, value: result.data, locate };
  const errors = result.error.issues.map((issue): ConfigError => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    return { file, path: formatPath(path), ...locate(path), message: describeIssue(issue) };
  });
  return { ok: false, errors };
}

export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): Loaded<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, errors: [{ file, path: "", message: `cannot read file (${(err as NodeJS.ErrnoException).code})` }] };
  }
  return parseConfigText(file, text, schema);
}

export class ConfigInvalidError extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(`invalid configuration:\n${errors.map(formatConfigError).join("\n")}`);
  }
}
