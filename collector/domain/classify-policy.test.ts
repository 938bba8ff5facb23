import { describe, expect, it } from "vitest";
import { classify } from "./classify.ts";
import { matchesPattern } from "./pattern.ts";
import { defaultPolicy, policySchema } from "./policy.ts";
import type { DeviceInfo } from "./types.ts";

const ups: DeviceInfo = {
  id: "ups-1",
  class: "ups",
  zone: "server-room",
  criticality: "high",
  dependsOn: [],
};
const policy = policySchema.parse({
  classification: {
    rules: [
      { match: { zone: "server-room", condition: "env.*" }, class: "major" },
      { match: { deviceClass: "ups", criticality: "high" }, class: "severe" },
      { match: { minAffectedDevices: 5 }, class: "major" },
    ],
    default: "general",
  },
});

describe("classification (重大 / 严重 / 一般)", () => {
  it("rules are tried in order and the first match wins", () => {
    expect(
      classify({ device: ups, condition: "env.temperature_high", affectedDevices: 1 }, policy),
    ).toMatchObject({ class: "major", source: "rule:0" });
    expect(classify({ device: ups, condition: "ups.on_battery", affectedDevices: 9 }, policy)).toMatchObject({
      class: "severe",
      source: "rule:1",
    });
  });
  it("a glob like env.* matches by prefix, an exact name only itself", () => {
    expect(matchesPattern("ups.on_battery", "ups.*")).toBe(true);
    expect(matchesPattern("upsx.on_battery", "ups.*")).toBe(false);
    expect(matchesPattern("ups.on_battery", "ups.on")).toBe(false);
  });
  it("rules win over the condition's class hint; the hint wins over the default", () => {
    expect(
      classify({ device: ups, condition: "ups.on_battery", affectedDevices: 1, classHint: "general" }, policy)
        .class,
    ).toBe("severe");
    const term: DeviceInfo = { id: "t", class: "terminal", criticality: "low", dependsOn: [] };
    expect(
      classify({ device: term, condition: "x", affectedDevices: 1, classHint: "severe" }, policy),
    ).toMatchObject({ class: "severe", source: "hint" });
    expect(classify({ device: term, condition: "x", affectedDevices: 1 }, policy)).toMatchObject({
      class: "general",
      source: "default",
    });
  });
  it("minAffectedDevices counts the fault's device plus folded children", () => {
    const term: DeviceInfo = { id: "t", class: "network", criticality: "low", dependsOn: [] };
    expect(
      classify({ device: term, condition: "device.unreachable", affectedDevices: 4 }, policy).class,
    ).toBe("general");
    expect(
      classify({ device: term, condition: "device.unreachable", affectedDevices: 5 }, policy).class,
    ).toBe("major");
  });
});

describe("policy", () => {
  it("the default policy carries the contract's figures", () => {
    expect(defaultPolicy).toMatchObject({
      timezone: "Asia/Shanghai",
      deadlineComparison: "strict",
      deadlines: {
        major: { respond: 1800, resolve: 86400 },
        severe: { respond: null, resolve: 7200 },
        general: { respond: null, resolve: 86400 },
      },
      reopenWithinSeconds: 600,
      windows: { noticeSeconds: 172800, lateNoticeCountsAsPlanned: false },
      dependencies: { foldGraceSeconds: 120 },
      kpi: { target: 1, contractTotalCny: 6468000, deductionRate: 0.01 },
    });
  });
  it("durations may be written 30m / 2h / 1d, and a partial override keeps the other defaults", () => {
    const p = policySchema.parse({ deadlines: { major: { respond: "20m" } }, reopenWithinSeconds: "15m" });
    expect(p.deadlines.major).toEqual({ respond: 1200, resolve: 86400 });
    expect(p.deadlines.severe.resolve).toBe(7200);
    expect(p.reopenWithinSeconds).toBe(900);
  });
  it("typos and bad values are refused", () => {
    expect(policySchema.safeParse({ deadlineComparision: "strict" }).success).toBe(false);
    expect(policySchema.safeParse({ deadlineComparison: "lenient" }).success).toBe(false);
    expect(policySchema.safeParse({ timezone: "Mars/Olympus" }).success).toBe(false);
    expect(policySchema.safeParse({ deadlines: { severe: { resolve: "2 hours" } } }).success).toBe(false);
  });
});
