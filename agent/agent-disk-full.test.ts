import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../common/clock.ts";
import { skipWithout } from "../test/harness/peer-gate.ts";
import { ROOT, tempDir } from "../test/harness/process.ts";
import { SmallDisk, smallDiskMissing } from "../test/harness/small-disk.ts";
import { Agent } from "./agent.ts";
import { Outbox } from "./outbox/outbox.ts";
import { loadSite } from "./site.ts";

const SUITE = "a trap's condition change on a full disk (the outbox on a tmpfs filled to the last page)";

describe.skipIf(skipWithout(smallDiskMissing(), SUITE))(SUITE, () => {
  const dir = tempDir("wf-agent-full-");
  const disk = new SmallDisk(join(dir, "data"));
  let outbox: Outbox;
  let agent: Agent;

  beforeAll(async () => {
    disk.mount();
    outbox = new Outbox(join(disk.dir, "outbox.db"));
    const file = join(dir, "site.yaml");
    // Nothing listens on port 9: the poll a trap asks for finds the UPS unreachable (two such polls open device.unreachable).
    writeFileSync(
      file,
      `site: { name: test }
zones: [{ id: server-room, name: 机房 }]
agent: { id: test-agent, profilesDir: ${join(ROOT, "config/profiles")}, collector: { url: "http://127.0.0.1:9/", token: unused } }
devices:
  - { id: ups-1, name: UPS, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:9", profile: generic-ups-modbus, options: { timeoutMs: 200 } }
`,
    );
    const { site, errors } = loadSite(file);
    if (!site) throw new Error(JSON.stringify(errors));
    agent = await Agent.create({ agentId: "test-agent", devices: site.devices, clock: systemClock, logger: pino({ level: "silent" }), outbox });
  });

  afterAll(async () => {
    await agent?.stop();
    outbox?.close();
    disk.unmount();
  });

  const state = () => agent.conditionsOf("ups-1").find((c) => c.name === "ups.on_battery")?.state;

  it("is not taken as made while the outbox refuses it, and is made by the next trap once there is room", async () => {
    disk.fill();
    agent.injectCondition("ups-1", { name: "ups.on_battery" }, {}, "firing", Date.now());
    expect(state()).toBeUndefined();
    expect(outbox.size()).toBe(0);
    expect(outbox.writeFailure()?.reason).toMatch(/SQLITE_(FULL|IOERR)/);

    disk.free();
    agent.injectCondition("ups-1", { name: "ups.on_battery" }, {}, "firing", Date.now());
    expect(state()).toBe("firing");
    expect(outbox.peek(10).map((e) => e.type === "condition" && [e.condition, e.state])).toEqual([["ups.on_battery", "firing"]]);
    expect(outbox.writeFailure()).toBeUndefined();
  });
});
