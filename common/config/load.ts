import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { describeIssue } from "./issues.ts";

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

/**
 * A validated document, or its errors. A document that parsed as YAML but failed the schema keeps its
 * raw value and locator, so later checks (driver options, profiles, the files it names) can still run
 * and every error is reported in one pass.
 */
export type Loaded<T> =
  | { ok: true; value: T; locate: Locate }
  | { ok: false; errors: ConfigError[]; raw?: unknown; locate?: Locate };

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

/** A raw YAML value as an object (an empty one when it is not a mapping), for checks on raw documents. */
export function rawMapping(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A raw YAML value as a list of mappings (other items and non-lists dropped), for checks on raw documents. */
export function rawList(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x)) : [];
}

/** zod issues (relative to `prefix` in the document) as config errors with line, column and plain words. */
export function issuesToErrors(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  data: unknown,
  locate: Locate,
  prefix: ReadonlyArray<string | number> = [],
): ConfigError[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
    return { file, path: formatPath(path), ...locate(path), message: describeIssue(issue, schema, data) };
  });
}

/** The yaml package's bound on alias expansion (its default, stated so the error can quote it). */
const MAX_ALIAS_COUNT = 100;

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
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    // The yaml package refuses documents whose aliases expand without bound ("billion laughs")
    // with a ReferenceError; anything else it throws here is just as much the file's fault.
    return {
      ok: false,
      errors: [
        {
          file,
          path: "",
          message: /alias/i.test((err as Error).message)
            ? `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} uses of one anchor's content; a "billion laughs" document?)`
            : `YAML cannot be read: ${(err as Error).message}`,
        },
      ],
    };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data, locate };
  return { ok: false, errors: issuesToErrors(file, result.error.issues, schema, raw, locate), raw, locate };
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
