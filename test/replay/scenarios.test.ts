import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const scenarios = join(root, "config", "scenarios");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function replay(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(root, "bin", "watchfloor.mjs"), "replay", ...args],
      { cwd: root },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function replayJson(...args: string[]) {
  const r = await replay(...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const tmp = mkdtempSync(join(tmpdir(), "watchfloor-replay-"));

describe("watchfloor replay (the real CLI)", () => {
  it("prints one JSON object {faults, kpi} with exactly the KPI fields of the contract report", async () => {
    const r = await replay(join(scenarios, "quarter-edges.jsonl"), "--quarter", "2026Q1");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["faults", "kpi"]);
    expect(Object.keys(out.kpi)).toEqual([
      "period",
      "total",
      "met",
      "breached",
      "exempted",
      "planned",
      "pending",
      "timeliness",
      "target",
      "met_target",
      "deduction_cny",
      "breaches",
    ]);
  });

  it("quarter edges: 23:59:30 on 31 March is Q1, 07:30 on 1 April is Q2; an ack at exactly 30:00 is late (小于)", async () => {
    const out = await replayJson(join(scenarios, "quarter-edges.jsonl"), "--quarter", "2026Q1");
    expect(out.kpi).toEqual({
      period: "2026Q1",
      total: 2,
      met: 1,
      breached: 1,
      exempted: 0,
      planned: 0,
      pending: 0,
      timeliness: 0.5,
      target: 1,
      met_target: false,
      deduction_cny: 64680,
      breaches: [
        {
          fault: "M-EDGE",
          class: "major",
          deadline: "respond",
          due: "2026-03-31T20:30:00+08:00",
          missed_by_seconds: 0,
        },
      ],
    });
    const last = out.faults.find((f: { id: string }) => f.id === "M-LAST");
    expect(last).toMatchObject({
      opened_at: "2026-03-31T23:59:30+08:00",
      sla: "met",
      acknowledged_at: "2026-04-01T00:29:29+08:00",
    });
    const q2 = await replayJson(join(scenarios, "quarter-edges.jsonl"), "--quarter", "2026Q2");
    expect(q2.kpi).toMatchObject({
      period: "2026Q2",
      total: 1,
      met: 1,
      timeliness: 1,
      met_target: true,
      deduction_cny: 0,
    });
  });

  it("a parent and 40 children going down together give one fault; the child still down unfolds into its own", async () => {
    const out = await replayJson(join(scenarios, "parent-children.jsonl"), "--quarter", "2026Q1");
    const [parent, child] = out.faults;
    expect(out.faults).toHaveLength(2);
    expect(parent).toMatchObject({
      device: "core-sw",
      class: "major",
      sla: "met",
      opened_at: "2026-03-12T14:00:30+08:00",
    });
    expect(parent.children).toHaveLength(39);
    expect(child).toMatchObject({
      device: "acc-40",
      unfolded_from: parent.id,
      opened_at: "2026-03-12T15:00:00+08:00",
      first_observed_at: "2026-03-12T14:00:50+08:00",
      resolved_at: "2026-03-12T15:45:00+08:00",
    });
    expect(out.kpi).toMatchObject({ total: 2, met: 2, breached: 0, timeliness: 1 });
  });

  it("reclassified severe → general keeps its open time; redelivery, reopen and out-of-order events give the expected faults", async () => {
    const out = await replayJson(join(scenarios, "reclassify-reopen.jsonl"), "--quarter", "2026Q1");
    expect(
      out.faults.map((f: { id: string; device: string; status: string; sla: string }) => [
        f.id,
        f.device,
        f.status,
        f.sla,
      ]),
    ).toEqual([
      ["F1", "ups-a", "resolved", "met"],
      ["F2", "link-gov", "resolved", "met"],
      ["F3", "ups-a", "open", "breached"],
    ]);
    expect(out.faults[0]).toMatchObject({
      class: "general",
      opened_at: "2026-03-02T09:00:00+08:00",
      reopen_count: 1,
      resolved_at: "2026-03-02T12:20:00+08:00",
      class_history: [{ at: "2026-03-02T10:30:00+08:00", from: "severe", to: "general", by: "zhou.manager" }],
    });
    expect(out.faults[1]).toMatchObject({
      opened_at: "2026-03-03T10:00:00+08:00",
      resolved_at: "2026-03-03T10:40:00+08:00",
    });
    expect(out.kpi.breaches).toEqual([
      {
        fault: "F3",
        class: "severe",
        deadline: "resolve",
        due: "2026-03-05T10:00:00+08:00",
        missed_by_seconds: 7200,
      },
    ]);
  });

  it("windows and exemptions: planned and exempted faults stay in the record but out of met/breached", async () => {
    const out = await replayJson(join(scenarios, "windows-exemptions.jsonl"), "--quarter", "2026Q1");
    const bySla = Object.fromEntries(
      out.faults.map((f: { device: string; sla: string }) => [f.device, f.sla]),
    );
    expect(bySla).toEqual({
      "wall-ctl": "planned",
      "fw-1": "breached",
      "link-extranet": "exempted",
      "seat-31": "breached",
    });
    expect(out.kpi).toMatchObject({
      total: 4,
      met: 0,
      breached: 2,
      exempted: 1,
      planned: 1,
      pending: 0,
      timeliness: 0,
    });
  });

  it("--config with the example policy gives the same result as the defaults", async () => {
    const file = join(scenarios, "windows-exemptions.jsonl");
    const withConfig = await replayJson(
      file,
      "--quarter",
      "2026Q1",
      "--config",
      join(root, "config", "policy.example.yaml"),
    );
    expect(withConfig).toEqual(await replayJson(file, "--quarter", "2026Q1"));
  });

  it("--config with deadlineComparison: inclusive makes the ack at exactly 30:00 on time", async () => {
    const policy = join(tmp, "inclusive.yaml");
    writeFileSync(policy, "deadlineComparison: inclusive\n");
    const out = await replayJson(
      join(scenarios, "quarter-edges.jsonl"),
      "--quarter",
      "2026Q1",
      "--config",
      policy,
    );
    expect(out.kpi).toMatchObject({ met: 2, breached: 0, met_target: true, deduction_cny: 0, breaches: [] });
  });

  it("a bad policy file is refused with file:line, the YAML path and what was expected (exit 2)", async () => {
    const policy = join(tmp, "bad.yaml");
    writeFileSync(policy, "timezone: Asia/Shanghai\ndeadlines:\n  severe:\n    resolve: two hours\n");
    const r = await replay(join(scenarios, "quarter-edges.jsonl"), "--quarter", "2026Q1", "--config", policy);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${policy}:4:`);
    expect(r.stderr).toContain("deadlines.severe.resolve");
  });

  it("a bad scenario line is refused with file:line and what was expected (exit 2)", async () => {
    const file = join(tmp, "bad-time.jsonl");
    writeFileSync(
      file,
      '{"type":"tick","at":"2026-03-02T09:00:00+08:00"}\n{"type":"open","at":"2026-03-02 09:00","id":"A","device":"d","class":"major","title":"t"}\n',
    );
    const r = await replay(file, "--quarter", "2026Q1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: at: expected an ISO 8601 time with offset`,
      ),
    );
  });

  it("an action the engine refuses names its line and the error code (exit 2)", async () => {
    const file = join(tmp, "bad-ref.jsonl");
    writeFileSync(file, '{"type":"ack","at":"2026-03-02T09:00:00+08:00","fault":"NOPE","by":"wang"}\n');
    const r = await replay(file, "--quarter", "2026Q1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1: FAULT_NOT_FOUND`);
  });

  it("a bad --quarter or a missing file is a usage error (exit 2)", async () => {
    const bad = await replay(join(scenarios, "quarter-edges.jsonl"), "--quarter", "2026Q5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("INVALID_PERIOD");
    const missing = await replay(join(tmp, "nope.jsonl"), "--quarter", "2026Q1");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read file (ENOENT)");
    expect((await replay("--quarter", "2026Q1")).code).toBe(2);
  });
});
