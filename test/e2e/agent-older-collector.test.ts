import { execFileSync, spawnSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT, tempDir, until } from "../harness/process.ts";

/**
 * This agent against the collector of the last release before batches carried `sentAt` (its whole tree,
 * from git): that collector refuses the unknown key with 400, and the agent must not take that as its
 * events being malformed (setting them all aside) but send its batches without sentAt from then on.
 */
const BEFORE_SENT_AT = "bc3f1d1";
const hasCommit = spawnSync("git", ["-C", ROOT, "cat-file", "-e", `${BEFORE_SENT_AT}^{commit}`]).status === 0;

describe.skipIf(
  skipWithout(hasCommit ? undefined : `git history with commit ${BEFORE_SENT_AT} (a full clone)`, "agent with an older collector"),
)(`an agent that sends sentAt, with the collector of ${BEFORE_SENT_AT}`, () => {
  const floor = new Floor({
    devices: `  - { id: ups-1, name: UPS-1, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:9", profile: generic-ups-modbus, interval: 1s }`,
  });
  afterAll(() => floor.stop());

  it("delivers heartbeats and conditions without sentAt, sets nothing aside, and says the collector is older", async () => {
    const previous = tempDir("wf-before-sentat-");
    execFileSync("sh", ["-c", `git -C "${ROOT}" archive ${BEFORE_SENT_AT} | tar -x -C "${previous}"`]);
    symlinkSync(join(ROOT, "node_modules"), join(previous, "node_modules"));
    await floor.startCollector(previous);
    await floor.startAgent();
    const faults = await until(
      "the device's fault at the older collector",
      async () => {
        const res = await floor.api<{ faults: Array<{ device: string; condition: string }> }>("/api/v1/faults");
        const f = res.body.faults.filter((x) => x.device === "ups-1");
        return f.length > 0 ? f : undefined;
      },
      90_000,
      500,
    );
    expect(faults.map((f) => f.condition)).toEqual(["device.unreachable"]);
    const agents = await floor.api<{ agents: Array<{ id: string; up: boolean }> }>("/api/v1/agents");
    expect(agents.body.agents).toMatchObject([{ id: "agent-test", up: true }]);
    const metrics = await (await fetch(`${floor.agentUrl}/metrics`)).text();
    const rejected = metrics.split("\n").filter((l) => l.startsWith("watchfloor_outbox_rejected_events_total{"));
    for (const line of rejected) expect(line).toMatch(/ 0$/);
    expect(floor.agent!.output).toContain("collector is older than this agent (it refuses sentAt)");
  }, 180_000);
});
