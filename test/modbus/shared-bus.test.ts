import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import { AgentMetrics } from "../../agent/metrics.ts";
import { loadSite } from "../../agent/site.ts";
import { systemClock } from "../../common/clock.ts";
import { createLogger } from "../../common/logger.ts";
import { CASES } from "./cases.ts";
import { type Peer, profilePath, startDevice, startPtyPair, writeSite } from "./peers.ts";

const sensor = CASES.find((c) => c.profile === "xy-md02-th-sensor-modbus")!;

async function counter(
  metrics: AgentMetrics,
  name: "polls" | "pollErrors",
  device: string,
  kind?: string,
): Promise<number> {
  const { values } = await metrics[name].get();
  return values
    .filter((v) => {
      const labels = v.labels as Record<string, string | number | undefined>;
      return labels.device === device && (kind === undefined || labels.kind === kind);
    })
    .reduce((sum, v) => sum + v.value, 0);
}

describe("two RTU devices on one bus, one of them silent", () => {
  let device: Peer;
  let pty: Awaited<ReturnType<typeof startPtyPair>>;
  beforeAll(async () => {
    pty = await startPtyPair();
    // Unit 1 answers; unit 9 is not on the line at all (RTU servers stay silent for other addresses).
    device = await startDevice({ transport: "rtu", device: pty.server, units: { "1": sensor.unit } });
  });
  afterAll(async () => {
    await device?.stop();
    await pty?.stop();
  });

  it("the answering device is still polled on schedule", async () => {
    const base = {
      class: "environment",
      driver: "modbus",
      address: pty.client,
      profile: "xy-md02-th-sensor-modbus",
      interval: 1,
    };
    const site = writeSite(
      [profilePath("xy-md02-th-sensor-modbus")],
      [
        {
          ...base,
          id: "live",
          name: "live",
          timeout: 2,
          options: { transport: "rtu", unitId: 1, timeoutMs: 500 },
        },
        // Each silent poll holds the line for up to 3 × 800 ms if the bus let it run its retries back to back.
        {
          ...base,
          id: "silent",
          name: "silent",
          timeout: 3,
          options: { transport: "rtu", unitId: 9, timeoutMs: 800, retries: 2 },
        },
      ],
    );
    const { site: loaded, errors } = loadSite(site.config);
    expect(errors).toEqual([]);
    const metrics = new AgentMetrics(new Registry());
    const logger = createLogger("test", { level: "silent" });
    const agent = await Agent.create({
      agentId: "t",
      devices: loaded!.devices,
      clock: systemClock,
      logger,
      metrics,
    });
    agent.start();
    await new Promise((r) => setTimeout(r, 5200));
    await agent.stop();
    site.remove();

    const livePolls = await counter(metrics, "polls", "live");
    const liveDown = await counter(metrics, "pollErrors", "live", "unreachable");
    const silentDown = await counter(metrics, "pollErrors", "silent", "unreachable");
    // One poll a second for ~5 s: at least 4 on time, none of them lost to the silent neighbour.
    expect(livePolls).toBeGreaterThanOrEqual(4);
    expect(liveDown).toBe(0);
    expect(silentDown).toBeGreaterThanOrEqual(1);
    const { values } = await metrics.deviceUp.get();
    expect(values.find((v) => v.labels.device === "live")?.value).toBe(1);
    expect(values.find((v) => v.labels.device === "silent")?.value).toBe(0);
  });
});
