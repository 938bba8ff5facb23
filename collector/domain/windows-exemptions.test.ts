import { describe, expect, it } from "vitest";
import { policySchema } from "./policy.ts";
import { type ReplayRun, runScenario } from "./replay.ts";
import { parseScenario } from "./scenario.ts";

function run(lines: object[], policy = policySchema.parse({})): ReplayRun {
  const parsed = parseScenario(lines.map((l) => JSON.stringify(l)).join("\n"));
  if (!parsed.ok) throw new Error(`${parsed.line}: ${parsed.message}`);
  const r = runScenario(parsed.lines, { quarter: "2026Q1", policy });
  if ("code" in r) throw new Error(r.message);
  return r;
}

const windowLine = (announced: string) => ({
  type: "window",
  at: announced,
  id: "W1",
  devices: ["ups-1"],
  start: "2026-03-10T22:00:00+08:00",
  end: "2026-03-11T02:00:00+08:00",
  announced,
  reason: "UPS firmware upgrade",
});
const firing = {
  type: "condition",
  at: "2026-03-10T23:00:00+08:00",
  device: "ups-1",
  condition: "ups.on_battery",
  state: "firing",
};
const tick = { type: "tick", at: "2026-03-12T00:00:00+08:00" };

describe("maintenance windows (48 h notice)", () => {
  it("a window announced 49 h ahead is not a notice violation; a fault in it is planned, kept in the record, out of the KPI", () => {
    const r = run([windowLine("2026-03-08T21:00:00+08:00"), firing, tick]);
    expect(r.state.windows["W1"]!.noticeViolation).toBe(false);
    expect(r.output.faults).toHaveLength(1);
    expect(r.output.faults[0]).toMatchObject({ sla: "planned", planned_window: "W1" });
    expect(r.output.kpi).toMatchObject({ total: 1, planned: 1, breached: 0, met: 0, timeliness: 1 });
  });
  it("a window announced 47 h ahead is flagged as a notice violation and its faults count in the KPI as normal", () => {
    const r = run([windowLine("2026-03-08T23:00:00+08:00"), firing, tick]);
    expect(r.state.windows["W1"]!.noticeViolation).toBe(true);
    expect(r.audit).toContainEqual(
      expect.objectContaining({
        action: "window.create",
        detail: expect.objectContaining({ noticeViolation: true }),
      }),
    );
    expect(r.output.faults[0]).toMatchObject({ sla: "breached", window: "W1" });
    expect(r.output.kpi).toMatchObject({ planned: 0, breached: 1 });
  });
  it("a window announced exactly 48 h ahead meets the notice (at least 48 h)", () => {
    expect(
      run([windowLine("2026-03-08T22:00:00+08:00"), firing, tick]).state.windows["W1"]!.noticeViolation,
    ).toBe(false);
  });
  it("lateNoticeCountsAsPlanned: true keeps faults of a late-announced window out of the KPI (still flagged)", () => {
    const r = run(
      [windowLine("2026-03-08T23:00:00+08:00"), firing, tick],
      policySchema.parse({ windows: { lateNoticeCountsAsPlanned: true } }),
    );
    expect(r.state.windows["W1"]!.noticeViolation).toBe(true);
    expect(r.output.kpi.planned).toBe(1);
  });
  it("a fault opened after the window's end, or on a device out of scope, is not planned", () => {
    const after = { ...firing, at: "2026-03-11T02:00:00+08:00" };
    const other = { ...firing, device: "ups-2" };
    const r = run([windowLine("2026-03-01T00:00:00+08:00"), after, other, tick]);
    expect(r.output.faults.map((f) => f.sla)).toEqual(["breached", "breached"]);
  });
  it("a window over a zone covers the devices of that zone", () => {
    const r = run([
      { type: "device", id: "ups-1", class: "ups", zone: "server-room" },
      { ...windowLine("2026-03-01T00:00:00+08:00"), devices: [], zones: ["server-room"] },
      firing,
      tick,
    ]);
    expect(r.output.faults[0]!.sla).toBe("planned");
  });
});

describe("exemptions (force majeure, client-approved)", () => {
  const base = [firing, tick];
  const exempt = {
    type: "exempt",
    at: "2026-03-12T01:00:00+08:00",
    fault: "F1",
    reason: "city grid outage",
    evidence: "notice 2026-17",
    by: "li",
  };
  it("an approved exemption takes the fault out of the KPI but never out of the record", () => {
    const r = run([
      ...base,
      exempt,
      { type: "approve", at: "2026-03-12T02:00:00+08:00", fault: "F1", by: "client" },
    ]);
    expect(r.output.faults).toHaveLength(1);
    expect(r.output.faults[0]).toMatchObject({
      sla: "exempted",
      exemption: { status: "approved", requested_by: "li", decided_by: "client", evidence: "notice 2026-17" },
    });
    expect(r.output.kpi).toMatchObject({
      total: 1,
      exempted: 1,
      breached: 0,
      met_target: true,
      deduction_cny: 0,
    });
    expect(r.notices).toContainEqual(expect.objectContaining({ type: "exempted", faultId: "F1" }));
  });
  it("a rejected exemption counts normally", () => {
    const r = run([
      ...base,
      exempt,
      { type: "reject", at: "2026-03-12T02:00:00+08:00", fault: "F1", by: "client", reason: "no evidence" },
    ]);
    expect(r.output.faults[0]!.sla).toBe("breached");
    expect(r.output.kpi).toMatchObject({ exempted: 0, breached: 1, met_target: false, deduction_cny: 64680 });
    expect(r.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["fault.exemption.request", "fault.exemption.reject"]),
    );
  });
  it("a requested (not yet decided) exemption still counts", () => {
    expect(run([...base, exempt]).output.kpi.breached).toBe(1);
  });
});
