import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observeConditions } from "../../agent/conditions/evaluate.ts";
import { loadProfileFile } from "../../agent/profiles/load.ts";
import { mapReadings } from "../../agent/profiles/map.ts";
import { ROOT } from "../harness/process.ts";
import { readingsOf, runOnce } from "../snmp/agent-once.ts";

/** The host driver on this machine, checked against what the kernel and coreutils' df say. */
describe("host metrics (systeminformation)", () => {
  it("memory, the root file system and uptime agree with /proc and df; CPU is a ratio", async () => {
    const { lines, stderr } = await runOnce([
      `  - { id: agent-host, name: 本机, class: server, driver: host, address: localhost, profile: host-agent, options: { mounts: "^/$" } }`,
    ]);
    const line = lines.get("agent-host");
    expect(line?.up, stderr).toBe(true);
    const value = (name: string, labels: Record<string, string> = {}) => readingsOf(line, name, labels)[0]?.value;
    const memTotal = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"))![1]) * 1024;
    expect(value("memory_total_bytes")).toBe(memTotal);
    const [size, used] = execFileSync("df", ["-B1", "--output=size,used", "/"], { encoding: "utf8" }).trim().split("\n")[1]!.trim().split(/\s+/).map(Number);
    expect(value("storage_size_bytes", { storage: "/" })).toBe(size);
    // Other processes write meanwhile: within 1 %.
    expect(Math.abs(value("storage_used_bytes", { storage: "/" })! - used!) / size!).toBeLessThan(0.01);
    expect(readingsOf(line, "disk_used_ratio").map((r) => r.labels.disk)).toEqual(["/"]);
    const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    expect(Math.abs(value("system_uptime_seconds")! - uptime)).toBeLessThan(30);
    expect(value("cpu_utilization_ratio")).toBeGreaterThanOrEqual(0);
    expect(value("cpu_utilization_ratio")).toBeLessThanOrEqual(1);
    expect(value("memory_utilization_ratio")).toBeGreaterThan(0);
    expect(value("memory_utilization_ratio")).toBeLessThan(1);
    expect(line?.conditions).toContainEqual({ name: "host.disk_full", labels: { disk: "/" }, state: used! / size! > 0.9 ? "firing" : "clear" });
  });

  it("a disk over 90 % and a CPU at 90 °C fire the profile's disk-full and high-temperature conditions", () => {
    const { profile } = loadProfileFile(join(ROOT, "config/profiles/host-agent.yaml"));
    const specs = profile!.profile.readings;
    const raw = specs.map((s) => {
      const field = (s.source as { field: string }).field;
      if (field === "disk_used_ratio") return { ok: true as const, samples: [{ labels: { disk: "/data" }, value: 0.95 }, { labels: { disk: "/" }, value: 0.4 }] };
      if (field === "temperature") return { ok: true as const, samples: [{ labels: { sensor: "cpu" }, value: 90 }] };
      return { ok: true as const, samples: [] };
    });
    const obs = observeConditions(profile!.profile.conditions, mapReadings(specs, raw).readings);
    const firing = obs.filter((o) => o.observed).map((o) => [o.condition.name, o.labels]);
    expect(firing).toEqual([
      ["host.disk_full", { disk: "/data" }],
      ["device.temperature_high", { sensor: "cpu" }],
    ]);
  });

  it("an address other than localhost is refused with the reason", async () => {
    const { lines } = await runOnce([`  - { id: other, name: other, class: server, driver: host, address: 10.1.2.3, profile: host-agent }`]);
    expect(lines.get("other")?.error).toMatch(/address must be localhost/);
  });
});
