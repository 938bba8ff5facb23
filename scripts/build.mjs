#!/usr/bin/env node
// npm run build: compiles the TypeScript sources to plain JavaScript in dist/, which the bins run with
// plain `node` (no tsx, less memory, faster start). `--out DIR` builds elsewhere (the build test does).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SOURCE_DIRS } from "../bin/launch.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = resolve(values.out ?? join(ROOT, "dist"));
// Taken before compiling: a source saved during the build counts as newer than the build.
const startedAt = Date.now();

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const run = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out], {
  stdio: "inherit",
});
if (run.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${run.status ?? run.signal}); ${out} is incomplete\n`);
  process.exit(1);
}
// The agent runs from one bundle of its own code with zod and yaml (esbuild, minified; each driver and
// the trap receiver a chunk loaded when a device needs it): ~2 MB less resident than the same code as
// ~90 separate modules with every zod locale and each module's full source text kept in the heap
// (README "Agent footprint"). It replaces tsc's dist/agent/cli.js; the other compiled files stay for
// the tools that import them. Packages with native code or their own loading stay in node_modules.
const bundled = new Set(["zod", "yaml"]);
const { build } = await import("esbuild");
await build({
  entryPoints: { cli: join(ROOT, "agent/cli.ts") },
  outdir: join(out, "agent"),
  chunkNames: "bundle/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  // Class and function names stay readable in logs and stack traces.
  keepNames: true,
  external: Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies).filter(
    (name) => !bundled.has(name),
  ),
  // yaml is CommonJS: its require() of node's own modules needs a require in an ES module.
  banner: { js: 'import{createRequire as __wfRequire}from"node:module";const require=__wfRequire(import.meta.url);' },
  logLevel: "warning",
});
// Files the code reads next to itself (the web UI's stylesheet, …) go along with the JavaScript.
let assets = 0;
const copyAssets = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!/\.(tsx?|md)$/.test(entry.name)) {
      const target = join(out, relative(ROOT, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
      assets++;
    }
  }
};
for (const dir of SOURCE_DIRS) copyAssets(join(ROOT, dir));
// The compiled files are ES modules wherever dist/ is put.
// The package's "#…" imports (the web UI's JSX runtime) point at the compiled .js files.
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const imports = Object.fromEntries(
  Object.entries(pkg.imports ?? {}).map(([k, v]) => [k, String(v).replace(/\.tsx?$/, ".js")]),
);
writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "module", imports })}\n`);
// Code that finds the installation's config/ from its own place (../../../config from
// collector/http/ui/) finds it from dist/ too.
symlinkSync("../config", join(out, "config"));
// Written last: the bins use dist/ only once this exists and no source is newer than startedAt.
writeFileSync(join(out, "BUILD.json"), `${JSON.stringify({ builtAt: startedAt, node: process.version })}\n`);
process.stdout.write(`build: ${relative(process.cwd(), out) || "."} ready (${assets} asset file(s) copied)\n`);
