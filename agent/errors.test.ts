import { EventEmitter } from "node:events";
import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { sampleValue } from "../test/harness/metrics.ts";
import { AgentErrors, installProcessGuards } from "./errors.ts";

describe("agent error isolation", () => {
  it("counts each component's errors in watchfloor_agent_errors_total, all components present from the start", async () => {
    const registry = new Registry();
    const errors = new AgentErrors(pino({ level: "silent" }), registry);
    let text = await registry.metrics();
    for (const c of ["snmp_traps", "poll", "heartbeat", "outbox", "process"])
      expect(text).toContain(`watchfloor_agent_errors_total{component="${c}"} 0`);
    errors.report("snmp_traps", new RangeError("out of range"), "packet failed");
    errors.report("snmp_traps", "not even an Error", "packet failed");
    text = await registry.metrics();
    expect(sampleValue(text, "watchfloor_agent_errors_total", { component: "snmp_traps" })).toBe(2);
    expect(sampleValue(text, "watchfloor_agent_errors_total", { component: "poll" })).toBe(0);
  });

  it("an uncaught error is reported and the process goes on; a burst above the budget exits with a message", () => {
    const registry = new Registry();
    const errors = new AgentErrors(pino({ level: "silent" }), registry);
    const target = new EventEmitter();
    let t = 0;
    const exits: string[] = [];
    const remove = installProcessGuards(errors, { burst: 3, windowMs: 10_000, exit: (m) => exits.push(m), target, now: () => t });
    target.emit("uncaughtException", new Error("one"));
    target.emit("unhandledRejection", new Error("two"));
    target.emit("uncaughtException", new Error("three"));
    expect(exits).toEqual([]);
    // Spread out, errors never add up to a burst.
    t = 20_000;
    target.emit("uncaughtException", new Error("later"));
    expect(exits).toEqual([]);
    for (const n of [1, 2, 3]) target.emit("uncaughtException", new Error(`burst ${n}`));
    expect(exits).toEqual(["4 uncaught errors within 10 s (last: burst 3); the agent cannot go on"]);
    remove();
    expect(target.listenerCount("uncaughtException")).toBe(0);
  });
});
