import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

const FORBIDDEN_MODULES = [
  "fastify",
  "better-sqlite3",
  "prom-client",
  "pino",
  "net-snmp",
  "modbus-serial",
  "fs",
  "fs/promises",
  "node:fs",
  "node:fs/promises",
  "net",
  "node:net",
  "http",
  "node:http",
  "https",
  "node:https",
];
/** Outside the domain folder, only these may be imported (they are pure too). */
const ALLOWED_OUTSIDE = [resolve(here, "../../common/duration.ts")];

const FORBIDDEN_CALLS: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, "Date.now()"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date() without an argument"],
  [/\bMath\.random\s*\(/, "Math.random()"],
  [/\bperformance\.now\s*\(/, "performance.now()"],
  [/\bprocess\.(hrtime|env)\b/, "process.hrtime / process.env"],
];

/** Problems in one source file's text: forbidden imports, imports from outside, clock / randomness reads. */
function impurities(source: string, dir = here): string[] {
  const problems: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const importRe =
    /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|require\s*\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of code.matchAll(importRe)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (FORBIDDEN_MODULES.includes(spec) || FORBIDDEN_MODULES.some((f) => spec.startsWith(`${f}/`)))
      problems.push(`imports ${spec}`);
    else if (spec.startsWith(".")) {
      // Relative imports stay inside collector/domain (sub-folders included), or name a pure file.
      const target = resolve(dir, spec);
      if (relative(here, target).startsWith("..") && !ALLOWED_OUTSIDE.includes(target))
        problems.push(`imports ${spec} from outside the domain`);
    }
  }
  for (const [re, what] of FORBIDDEN_CALLS) if (re.test(code)) problems.push(`calls ${what}`);
  return problems;
}

const sources = (readdirSync(here, { recursive: true }) as string[]).filter(
  (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
);

describe("the domain is pure (clock and ids are passed in)", () => {
  it("the scanner catches forbidden imports and calls", () => {
    expect(impurities('import { readFileSync } from "node:fs";')).toEqual(["imports node:fs"]);
    expect(impurities('import Fastify from "fastify";\nconst t = Date.now();')).toEqual([
      "imports fastify",
      "calls Date.now()",
    ]);
    expect(impurities("const d = new Date();")).toEqual(["calls new Date() without an argument"]);
    expect(impurities("const r = Math.random();")).toEqual(["calls Math.random()"]);
    expect(impurities('import { x } from "../store/db.ts";')).toEqual([
      "imports ../store/db.ts from outside the domain",
    ]);
    expect(impurities('const m = await import("node:http");')).toEqual(["imports node:http"]);
    expect(impurities("const d = new Date(ms); // Date.now() is not called")).toEqual([]);
    expect(impurities('import { x } from "../time-format.ts";', join(here, "inspections"))).toEqual([]);
    expect(impurities('import { x } from "../../store/db.ts";', join(here, "inspections"))).toEqual([
      "imports ../../store/db.ts from outside the domain",
    ]);
    expect(impurities('import { d } from "../../../common/duration.ts";', join(here, "inspections"))).toEqual([]);
  });
  it("there are source files to scan", () => {
    expect(sources.length).toBeGreaterThan(10);
  });
  it.each(sources)("%s imports nothing impure and reads no clock or randomness", (file) => {
    expect(impurities(readFileSync(join(here, file), "utf8"), dirname(join(here, file)))).toEqual([]);
  });
});
