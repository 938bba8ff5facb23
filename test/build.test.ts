import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareSite } from "./harness/bare-site.ts";
import { Proc, ROOT, tempDir } from "./harness/process.ts";

// An installation as deploy/README.md describes it, in a temp dir: bin/, config/, the sources, the
// dependencies, and dist/ from `npm run build` (scripts/build.mjs --out, so the repo's dist/ is untouched).
const tree = tempDir("wf-build-");
const env = { WATCHFLOOR_AGENT_TOKEN: "build-test-token", WATCHFLOOR_RUNTIME: "" };
const running: Proc[] = [];

mkdirSync(join(tree, "var"));
const site = () => bareSite(join(tree, "var"));

function run(bin: string, args: string[]) {
  return spawnSync(process.execPath, [join(tree, "bin", bin), ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

describe("the production build (npm run build)", () => {
  beforeAll(() => {
    const build = spawnSync(
      process.execPath,
      [join(ROOT, "scripts/build.mjs"), "--out", join(tree, "dist")],
      {
        encoding: "utf8",
      },
    );
    expect(build.status, build.stderr + build.stdout).toBe(0);
    for (const dir of ["bin", "config", "agent", "collector", "common", "cli", "demo"])
      cpSync(join(ROOT, dir), join(tree, dir), { recursive: true, preserveTimestamps: true });
    for (const file of ["package.json", "tsconfig.json"]) cpSync(join(ROOT, file), join(tree, file));
    symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
  }, 180_000);
  afterAll(async () => {
    for (const p of running) await p.stop();
  });

  it("the compiled collector serves its API and the web UI (with the stylesheet copied beside the code)", async () => {
    const collector = new Proc(
      process.execPath,
      [join(tree, "bin/watchfloor-collector.mjs"), "--config", site(), "--listen", "127.0.0.1:0"],
      { env },
    );
    running.push(collector);
    const url = (await collector.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/api/v1/faults`)).json()).toMatchObject({ error: "unauthorized" });
    const css = await fetch(`${url}/ui/assets/style.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toBe(readFileSync(join(ROOT, "collector/http/ui/assets/style.css"), "utf8"));
    expect(collector.output).not.toContain("changed after the last build");
  });

  it("compiled code that finds config/ from its own place finds it from dist/ (the runbooks)", async () => {
    const runbook = await import(join(tree, "dist/collector/http/ui/runbook.js"));
    expect(runbook.DEFAULT_RUNBOOK_DIR.startsWith(join(tree, "dist"))).toBe(true);
    expect(readFileSync(join(runbook.DEFAULT_RUNBOOK_DIR, "default.md"), "utf8")).toBe(
      readFileSync(join(ROOT, "config/runbooks/default.md"), "utf8"),
    );
  });

  it("the compiled agent starts and serves /metrics", async () => {
    const agent = new Proc(
      process.execPath,
      [join(tree, "bin/watchfloor-agent.mjs"), "--config", site(), "--listen", "127.0.0.1:0"],
      { env },
    );
    running.push(agent);
    const url = (await agent.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
    expect(await (await fetch(`${url}/metrics`)).text()).toContain("watchfloor_outbox_pending_events");
  });

  it("a source edited after the build runs instead, through tsx, with a note on stderr", () => {
    const file = join(tree, "cli/check-config.ts");
    const before = run("watchfloor.mjs", ["check-config", site()]);
    expect(before.status, before.stderr).toBe(0);
    expect(before.stderr).toBe("");
    writeFileSync(file, readFileSync(file, "utf8").replace(": ok (", ": ok from the edited source ("));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    const after = run("watchfloor.mjs", ["check-config", site()]);
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toContain("ok from the edited source");
    expect(after.stderr).toContain(`${file} changed after the last build`);
  });
});
