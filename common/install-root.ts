import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The installation's root (bin/, config/, package.json), found from a module's own folder: the same
 * answer whether the module runs from the sources or compiled into dist/.
 */
export function installRoot(moduleDir: string): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "launch.mjs"))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no Watchfloor installation (bin/launch.mjs) above ${moduleDir}`);
  }
}
