// TEMPORARY until test/harness/postgres.ts (helper pgstore) lands: a throw-away cluster on loopback.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { tempDir } from "./process.ts";

export async function startPostgres() {
  const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin");
  const dir = tempDir("wf-pg-");
  chmodSync(dir, 0o777);
  const port = await freePort();
  const su = (cmd: string) => execFileSync("su", ["postgres", "-c", cmd], { stdio: "pipe" });
  su(`${bin}/initdb -D ${dir}/data -A trust -U postgres >/dev/null`);
  su(`${bin}/pg_ctl -D ${dir}/data -o '-k ${dir} -h 127.0.0.1 -p ${port}' -l ${dir}/log -w start`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => su(`${bin}/pg_ctl -D ${dir}/data -m immediate stop`),
  };
}
