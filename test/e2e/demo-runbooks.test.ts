/**
 * The demo's collector finds the runbooks (应急预案): it reads `runbooks/` beside its site file, and the
 * demo writes its site file to its own folder, which had none (a 重大 trunk.down showed no runbook).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runbookFor } from "../../collector/http/ui/runbook.ts";
import { DEMO_PORTS, type DemoPorts } from "../../demo/ports.ts";
import { writeDemoSite } from "../../demo/site-files.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "wf-demo-runbooks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo site files", () => {
  it("the runbooks beside the demo's site file are config/runbooks/, so a major trunk.down shows major.md", () => {
    const ports = Object.fromEntries(DEMO_PORTS.map((p) => [p.key, p.port])) as DemoPorts;
    // Twice: a second demo start replaces the link it made the first time.
    writeDemoSite(join(ROOT, "config/site.example.yaml"), dir, ports, new Date("2026-11-25T09:00:00+08:00"));
    const site = writeDemoSite(join(ROOT, "config/site.example.yaml"), dir, ports, new Date("2026-11-25T09:00:00+08:00"));
    // What the collector's start does with a site file (collector/cli.ts).
    const found = runbookFor(join(dirname(site), "runbooks"), { condition: "trunk.down", deviceClass: "sip-trunk", faultClass: "major" });
    expect(found?.file).toBe("major.md");
    const heading = readFileSync(join(ROOT, "config/runbooks/major.md"), "utf8").split("\n")[0]!.replace(/^#+\s*/, "");
    expect(found?.html).toContain(heading);
    expect(runbookFor(join(dirname(site), "runbooks"), { condition: "if.down", faultClass: "general" })?.file).toBe("if.down.md");
  });
});
