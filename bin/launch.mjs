// Shared by the bins: run the compiled JavaScript in dist/ when a current build is there (`npm run
// build`), otherwise the TypeScript sources through tsx (development, or a checkout never built).
// WATCHFLOOR_RUNTIME=dist or =source forces one; the choice is passed on to child processes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
/** The folders compiled into dist/ (scripts/build.mjs) and checked for edits newer than the build. */
export const SOURCE_DIRS = ["agent", "collector", "common", "cli", "demo"];

function builtAt() {
  try {
    return JSON.parse(readFileSync(join(DIST, "BUILD.json"), "utf8")).builtAt;
  } catch {
    return undefined;
  }
}

/** The first file the build reads (sources and assets: not tests, not READMEs) changed since, if any. */
function newerSource(since, dir = ROOT, names = SOURCE_DIRS) {
  for (const name of names) {
    const path = join(dir, name);
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      // An install may ship without the sources (only bin/, dist/, node_modules/).
      continue;
    }
    for (const e of entries) {
      const child = join(path, e.name);
      if (e.isDirectory()) {
        const found = newerSource(since, path, [e.name]);
        if (found) return found;
      } else if (!/\.(test\.ts|md)$/.test(e.name) && statSync(child).mtimeMs > since)
        return child;
    }
  }
  return undefined;
}

function chooseRuntime() {
  const forced = process.env.WATCHFLOOR_RUNTIME;
  if (forced === "dist" || forced === "source") return forced;
  const at = builtAt();
  if (at === undefined) return "source";
  const newer = newerSource(at);
  if (newer) {
    process.stderr.write(
      `watchfloor: ${newer} changed after the last build; running the sources through tsx (npm run build to update dist/)\n`,
    );
    return "source";
  }
  return "dist";
}

/** Runs `entry` (e.g. "agent/cli") with the process's arguments; its main() gives the exit code. */
export async function launch(entry) {
  const runtime = chooseRuntime();
  process.env.WATCHFLOOR_RUNTIME = runtime;
  let mod;
  if (runtime === "dist") {
    if (builtAt() === undefined) {
      process.stderr.write(
        `watchfloor: WATCHFLOOR_RUNTIME=dist but there is no build in ${DIST} (npm run build)\n`,
      );
      process.exit(2);
    }
    mod = await import(pathToFileURL(join(DIST, `${entry}.js`)).href);
  } else {
    let register;
    try {
      ({ register } = await import("tsx/esm/api"));
    } catch {
      process.stderr.write(
        "watchfloor: no current build in dist/ and tsx (a development dependency) is not installed: run `npm run build` where the dev dependencies are\n",
      );
      process.exit(2);
    }
    // The project's tsconfig (JSX runtime, …) whatever the working directory (systemd runs in
    // /var/lib/watchfloor, the demo's tests elsewhere): tsx would otherwise look for one there.
    const tsconfig = join(ROOT, "tsconfig.json");
    register(existsSync(tsconfig) ? { tsconfig } : {});
    mod = await import(pathToFileURL(join(ROOT, `${entry}.ts`)).href);
  }
  process.exitCode = await mod.main(process.argv.slice(2));
}
