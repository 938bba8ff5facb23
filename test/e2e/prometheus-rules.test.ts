import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/process.ts";

const promtool = (...args: string[]) => spawnSync("promtool", args, { cwd: ROOT, encoding: "utf8" });

describe("shipped Prometheus config and rules", () => {
  it("alert rules pass their promtool unit tests", () => {
    const res = promtool("test", "rules", join("dashboards/prometheus/watchfloor.rules.test.yml"));
    expect(`${res.stdout}${res.stderr}`).toContain("SUCCESS");
    expect(res.status).toBe(0);
  });

  it("deploy/prometheus.yml and its rule file are valid", () => {
    const res = promtool("check", "config", "deploy/prometheus.yml");
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
  });
});
