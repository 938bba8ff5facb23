import { describe, expect, it } from "vitest";
import { faultFixture } from "../../test/fixtures/fault.ts";
import { defaultPolicy, type Fault } from "../domain/index.ts";
import { classPolicySchema } from "./config.ts";
import { planSteps } from "./planner.ts";

const T0 = Date.parse("2026-11-25T09:00:00+08:00");
const MIN = 60_000;

function fault(over: Partial<Fault> = {}): Fault {
  return faultFixture({
    key: "ups-1|ups.on_battery",
    device: "ups-1",
    condition: "ups.on_battery",
    title: "UPS 市电中断",
    class: "major",
    classSource: "rule:0",
    source: "auto",
    openedAt: T0,
    ...over,
  });
}

const major = classPolicySchema.parse({
  steps: [
    { after: 0, notify: ["oncall"], repeat: { every: "5m", times: 2 } },
    { after: "15m", notify: ["lead"] },
  ],
  reminders: [0.5],
  breach: ["oncall", "lead"],
});

/** Walks the clock minute by minute, taking every due step, and returns "minute:key" for each. */
function walk(f: (minute: number) => Fault, until: number, policy = major): string[] {
  const done = new Set<string>();
  const taken: string[] = [];
  for (let m = 0; m <= until; m++) {
    const plan = planSteps({ fault: f(m), policy, sla: defaultPolicy, now: T0 + m * MIN, done });
    for (const s of plan.due) {
      done.add(s.key);
      taken.push(`${m}:${s.key}`);
    }
  }
  return taken;
}

describe("escalation planner (pure: fault + policy + now → due steps)", () => {
  it("major, nobody answers: page at once, again at 5 and 10 min, escalate at 15, remind at 15, breach at 30:00 (小于)", () => {
    expect(walk(() => fault(), 31)).toEqual([
      "0:e0:step:0:0",
      "5:e0:step:0:1",
      "10:e0:step:0:2",
      "15:e0:step:1:0",
      "15:remind:respond:0.5",
      "30:breach:respond",
    ]);
  });

  it("an acknowledgement stops the escalation (but the resolve deadline keeps its own clock)", () => {
    const acked = (m: number) =>
      m >= 7
        ? fault({ status: "acknowledged", acknowledgedAt: T0 + 7 * MIN, acknowledgedBy: "zhangwei" })
        : fault();
    expect(walk(acked, 40)).toEqual(["0:e0:step:0:0", "5:e0:step:0:1"]);
  });

  it("after downtime only the latest step of a series is sent; the ones it overtook are reported as superseded", () => {
    const plan = planSteps({
      fault: fault(),
      policy: major,
      sla: defaultPolicy,
      now: T0 + 12 * MIN,
      done: new Set(["e0:step:0:0"]),
    });
    expect(plan.due.map((s) => s.key)).toEqual(["e0:step:0:2"]);
    expect(plan.superseded.map((s) => s.key)).toEqual(["e0:step:0:1"]);
    expect(plan.nextAt).toBe(T0 + 15 * MIN);
  });

  it("steps already taken are never due again (restart safety rests on this)", () => {
    const done = new Set(["e0:step:0:0", "e0:step:0:1"]);
    expect(
      planSteps({ fault: fault(), policy: major, sla: defaultPolicy, now: T0 + 6 * MIN, done }).due,
    ).toEqual([]);
  });

  it("folded children and planned (maintenance window) faults page nobody", () => {
    const folded = fault({ status: "folded", fold: { parentId: "F-0", directParentId: "F-0" } });
    expect(
      planSteps({ fault: folded, policy: major, sla: defaultPolicy, now: T0, done: new Set() }).due,
    ).toEqual([]);
    expect(
      planSteps({
        fault: fault({ plannedWindowId: "W-1" }),
        policy: major,
        sla: defaultPolicy,
        now: T0,
        done: new Set(),
      }).due,
    ).toEqual([]);
  });

  it("severe: reminders at 50 % and 80 % of 2 h, breach notice at exactly 2 h", () => {
    const severe = classPolicySchema.parse({ reminders: [0.5, 0.8], breach: ["oncall"] });
    expect(walk(() => fault({ class: "severe" }), 121, severe)).toEqual([
      "60:remind:resolve:0.5",
      "96:remind:resolve:0.8",
      "120:breach:resolve",
    ]);
  });

  it("a reopened fault is paged afresh from its reopening", () => {
    const reopened = fault({ reopenCount: 1, reopenedAt: [T0 + 40 * MIN] });
    const done = new Set(["e0:step:0:0", "e0:step:0:1", "e0:step:0:2", "e0:step:1:0"]);
    const plan = planSteps({ fault: reopened, policy: major, sla: defaultPolicy, now: T0 + 40 * MIN, done });
    expect(plan.due.map((s) => s.key)).toContain("e1:step:0:0");
  });
});
