import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../common/config/load.ts";
import { nextArchiveAt } from "./archive.ts";
import { advanceTo, apply, emptyState } from "./engine.ts";
import { defaultPolicy, type Policy, policySchema } from "./policy.ts";
import { parseInstant } from "./time-format.ts";
import type { AuditDraft, Command, EngineState, Inventory } from "./types.ts";

const T0 = parseInstant("2026-03-02T09:00:00+08:00")!;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Short windows so archiving happens within hours: exemptions 1 h, archive after 1 h + 1 s. */
const policy: Policy = policySchema.parse({
  exemptions: { requestWithinSeconds: "1h" },
  archive: { afterSeconds: 3601 },
});

const inventory: Inventory = {
  devices: {
    core: { id: "core", class: "network", criticality: "high", dependsOn: [] },
    "sw-1": { id: "sw-1", class: "network", criticality: "medium", dependsOn: ["core"] },
  },
};

type Condition = Extract<Command, { type: "condition" }>;
const cond = (
  device: string,
  at: number,
  state: "firing" | "clear",
  condition = "device.unreachable",
): Condition => ({
  type: "condition",
  eventId: `${device}/${condition}@${at}:${state}`,
  at,
  device,
  condition,
  state,
});

/** The collector's way: advance (timer, archives) then apply each command; refusals throw. */
class Run {
  state: EngineState = emptyState();
  audit: AuditDraft[] = [];
  private n = 0;
  private now = 0;
  constructor(private p: Policy = policy) {}
  ctx(at: number) {
    this.now = Math.max(this.now, at);
    return { now: this.now, policy: this.p, inventory, newId: () => `F${++this.n}` };
  }
  advance(at: number): this {
    const res = advanceTo(this.state, this.ctx(at));
    this.state = res.state;
    this.audit.push(...res.audit);
    return this;
  }
  apply(cmd: Command) {
    this.advance(cmd.at);
    const res = apply(this.state, cmd, this.ctx(cmd.at));
    if (res.ok) {
      this.state = res.state;
      this.audit.push(...res.audit);
    }
    return res;
  }
  run(cmds: Command[]): this {
    for (const c of cmds) {
      const res = this.apply(c);
      if (!res.ok) throw new Error(res.error.message);
    }
    return this;
  }
}

const eventCount = (s: EngineState) => Object.values(s.log.keys).reduce((n, k) => n + k.events.length, 0);

describe("archive", () => {
  it("freezes a settled fault: same record, one fault.archive entry, its events leave the log", () => {
    const r = new Run().run([
      cond("ups-1", T0, "firing", "ups.on_battery"),
      cond("ups-1", T0 + 5 * MIN, "clear", "ups.on_battery"),
    ]);
    const before = structuredClone(r.state.faults);
    r.advance(T0 + 5 * MIN + HOUR); // exactly resolution + 1 h: not yet
    expect(r.state.archive).toBeUndefined();
    r.advance(T0 + 5 * MIN + HOUR + 2000);
    expect(r.state.archive?.faults).toEqual({ F1: T0 + 5 * MIN + HOUR + 2000 });
    expect(r.state.faults).toEqual(before);
    expect(eventCount(r.state)).toBe(0);
    expect(r.state.log.eventKeys).toEqual({});
    expect(r.state.log.anchors).toEqual({});
    expect(r.audit.filter((a) => a.action === "fault.archive")).toEqual([
      expect.objectContaining({
        actor: "engine",
        faultId: "F1",
        detail: expect.objectContaining({ status: "resolved" }),
      }),
    ]);
    r.advance(T0 + DAY);
    expect(r.audit.filter((a) => a.action === "fault.archive")).toHaveLength(1);
  });

  it("a redelivered event of an archived fault changes nothing", () => {
    const firing = cond("ups-1", T0, "firing", "ups.on_battery");
    const r = new Run()
      .run([firing, cond("ups-1", T0 + 5 * MIN, "clear", "ups.on_battery")])
      .advance(T0 + 2 * HOUR);
    const state = r.state;
    const res = apply(state, { ...firing }, r.ctx(T0 + 2 * HOUR));
    expect(res.ok && res.state.log).toEqual(state.log);
    expect(res.ok && res.state.faults).toEqual(state.faults);
    expect(res.ok && res.audit).toEqual([]);
    // Any event of that key older than the archived episode is too late as well.
    const late = apply(state, { ...firing, eventId: "late", at: T0 + MIN }, r.ctx(T0 + 2 * HOUR));
    expect(late.ok && late.state.log).toEqual(state.log);
  });

  it("the same condition firing after the archive opens a new fault, not a reopen", () => {
    const r = new Run()
      .run([
        cond("ups-1", T0, "firing", "ups.on_battery"),
        cond("ups-1", T0 + 5 * MIN, "clear", "ups.on_battery"),
      ])
      .advance(T0 + 2 * HOUR);
    r.run([cond("ups-1", T0 + 3 * HOUR, "firing", "ups.on_battery")]);
    expect(r.state.faults.F1?.status).toBe("resolved");
    expect(r.state.faults.F1?.reopenCount).toBe(0);
    expect(r.state.faults.F2).toMatchObject({ status: "open", openedAt: T0 + 3 * HOUR, reopenCount: 0 });
    expect(r.state.log.keys[r.state.faults.F2!.key]?.events).toHaveLength(1);
  });

  it("keeps later events of the same key and the key's class hint", () => {
    const hinted: Command = { ...cond("x", T0, "firing", "custom.alarm"), classHint: "severe" };
    const r = new Run().run([hinted, cond("x", T0 + MIN, "clear", "custom.alarm")]);
    r.run([cond("x", T0 + 2 * HOUR, "firing", "custom.alarm")]); // advance archives F1 first
    expect(r.state.archive?.faults.F1).toBeDefined();
    const key = r.state.faults.F2!.key;
    expect(r.state.log.keys[key]?.events.map((e) => e.at)).toEqual([T0 + 2 * HOUR]);
    expect(r.state.log.keys[key]?.classHint).toBe("severe");
    expect(r.state.faults.F2?.class).toBe("severe");
  });

  it("a person's action on an archived fault is refused with FAULT_ARCHIVED", () => {
    const r = new Run().run([
      { type: "open", at: T0, faultId: "M1", device: "pos-3", class: "general", title: "broken", by: "seat" },
      { type: "resolve", at: T0 + HOUR, fault: "M1", by: "eng" },
    ]);
    r.advance(T0 + 3 * HOUR);
    expect(r.state.log.manual).toEqual([]);
    expect(r.state.log.actions).toEqual([]);
    for (const cmd of [
      { type: "comment", at: T0 + 4 * HOUR, fault: "M1", by: "eng", text: "late note" },
      { type: "close", at: T0 + 4 * HOUR, fault: "M1", by: "eng" },
      { type: "exempt", at: T0 + 4 * HOUR, fault: "M1", by: "eng", reason: "flood" },
    ] as Command[]) {
      const res = r.apply(cmd);
      expect(res.ok ? "ok" : res.error.code).toBe("FAULT_ARCHIVED");
    }
    const open = r.apply({
      type: "open",
      at: T0 + 5 * HOUR,
      faultId: "M1",
      device: "d",
      class: "general",
      title: "t",
      by: "s",
    });
    expect(open.ok ? "ok" : open.error.code).toBe("FAULT_EXISTS");
  });

  it("waits for a pending exemption decision, and for the condition to clear after a person resolved it", () => {
    const r = new Run().run([
      cond("ups-1", T0, "firing", "ups.on_battery"),
      cond("ups-1", T0 + MIN, "clear", "ups.on_battery"),
      { type: "exempt", at: T0 + 10 * MIN, fault: "F1", by: "eng", reason: "grid" },
      cond("ups-2", T0, "firing", "ups.on_battery"),
      { type: "resolve", at: T0 + 20 * MIN, fault: "F2", by: "eng" },
    ]);
    r.advance(T0 + 5 * HOUR);
    expect(r.state.archive).toBeUndefined();
    expect(nextArchiveAt(r.state, policy)).toBe(T0 + 6 * HOUR);
    r.run([{ type: "approve", at: T0 + 6 * HOUR, fault: "F1", by: "client" }]);
    r.advance(T0 + 6 * HOUR);
    expect(Object.keys(r.state.archive?.faults ?? {})).toEqual(["F1"]);
    r.run([cond("ups-2", T0 + 7 * HOUR, "clear", "ups.on_battery")]);
    r.advance(T0 + 8 * HOUR + 2000);
    expect(Object.keys(r.state.archive?.faults ?? {}).sort()).toEqual(["F1", "F2"]);
    expect(eventCount(r.state)).toBe(0);
  });

  it("archives a parent together with the records folded into it", () => {
    const r = new Run().run([
      cond("core", T0, "firing"),
      cond("sw-1", T0 + 10_000, "firing"),
      cond("core", T0 + 10 * MIN, "clear"),
      cond("sw-1", T0 + 10 * MIN + 5000, "clear"),
    ]);
    expect(r.state.faults.F2?.status).toBe("folded");
    const before = structuredClone(r.state.faults);
    r.advance(T0 + 3 * HOUR);
    expect(Object.keys(r.state.archive?.faults ?? {}).sort()).toEqual(["F1", "F2"]);
    expect(r.state.faults).toEqual(before);
    expect(eventCount(r.state)).toBe(0);
    // A child event older than the archived parent's recovery cannot fold into it any more: too late, ignored.
    const res = r.apply(cond("sw-1", T0 + 5 * MIN, "firing"));
    expect(res.ok && res.state.log).toEqual(r.state.log);
  });

  it("the log shrinks: 200 settled faults leave only the open one's events", () => {
    const cmds: Command[] = [];
    for (let i = 0; i < 200; i++) {
      cmds.push(cond(`d${i % 20}`, T0 + i * 10 * MIN, "firing", "link.down"));
      cmds.push(cond(`d${i % 20}`, T0 + i * 10 * MIN + MIN, "clear", "link.down"));
    }
    const end = T0 + 200 * 10 * MIN;
    cmds.push(cond("d0", end, "firing", "link.down"));
    const archived = new Run().run(cmds);
    const plain = new Run(policySchema.parse({ ...policy, archive: { afterSeconds: null } })).run(cmds);
    expect(eventCount(plain.state)).toBe(401);
    expect(Object.keys(plain.state.log.eventKeys)).toHaveLength(401);
    expect(eventCount(archived.state)).toBeLessThan(20);
    expect(Object.keys(archived.state.log.eventKeys).length).toBeLessThan(20);
    expect(Object.keys(archived.state.archive!.faults).length).toBeGreaterThan(180);
    expect(archived.state.faults).toEqual(plain.state.faults);
    expect(JSON.stringify(archived.state.log).length).toBeLessThan(
      JSON.stringify(plain.state.log).length / 5,
    );
  });

  it("policy: archive.afterSeconds must exceed the reopen, exemption and fold windows; null turns it off", () => {
    expect(policySchema.parse({}).archive.afterSeconds).toBe(16 * 86_400);
    expect(policySchema.safeParse({ archive: { afterSeconds: "15d" } }).success).toBe(false);
    expect(policySchema.safeParse({ exemptions: { requestWithinSeconds: "30d" } }).success).toBe(false);
    expect(
      policySchema.safeParse({ archive: { afterSeconds: "2h" }, exemptions: { requestWithinSeconds: "1h" } })
        .success,
    ).toBe(true);
    const off = policySchema.parse({ archive: { afterSeconds: null } });
    const r = new Run(off).run([
      cond("ups-1", T0, "firing", "ups.on_battery"),
      cond("ups-1", T0 + MIN, "clear", "ups.on_battery"),
    ]);
    r.advance(T0 + 90 * DAY);
    expect(r.state.archive).toBeUndefined();
    expect(nextArchiveAt(r.state, off)).toBeUndefined();
  });

  it("config/policy.example.yaml (with archive.afterSeconds) parses to the built-in defaults", () => {
    const file = fileURLToPath(new URL("../../config/policy.example.yaml", import.meta.url));
    const loaded = loadConfigFile(file, policySchema);
    expect(loaded.ok && loaded.value).toEqual(defaultPolicy);
  });
});
