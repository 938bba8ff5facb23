import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communityMessage, notificationVarbinds } from "../fuzz/ber.ts";
import { sendUdp } from "../fuzz/udp.ts";
import { Floor } from "../harness/floor.ts";
import { scrape } from "../harness/metrics.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { until } from "../harness/process.ts";
import { freeUdpPort, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { snmptrap, snmptrapMissing } from "../peers/snmptrap.ts";

/**
 * Issue 12 #8: spoofed traps grew the collector without bound. A trap from an address that is no
 * configured device is counted and dropped; each device's traps are held to a token bucket
 * (agent.traps.rateLimit). Debian's snmptrap sends from 127.0.0.2 (--clientaddr) for the spoof; the
 * device (snmpsim) is at 127.0.0.1.
 */
const OWN = join(import.meta.dirname, "..", "snmp", "recordings");
const missing = snmpsimMissing(OWN) ?? snmptrapMissing();
const skip = skipWithout(missing, "spoofed and flooding trap sources");
const COMMUNITY = "watchfloor-ups";
const COLD_START = "1.3.6.1.6.3.1.1.5.1";

type Faults = { faults: Array<{ device: string; condition: string }> };

describe.skipIf(skip)("trap sources: unknown ones dropped, floods limited (issue 12 #8)", () => {
  let sim: Snmpsim;
  let floor: Floor;
  let trapPort = 0;
  let metrics = "";
  const traps = (outcome: string) => scrape(metrics, "watchfloor_agent_snmp_traps_total", { outcome });
  const onBattery = (from: string) =>
    snmptrap([`--clientaddr=${from}`, "-v2c", "-c", COMMUNITY, `127.0.0.1:${trapPort}`, "", "1.3.6.1.2.1.33.2.1"]);

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
    trapPort = await freeUdpPort();
    floor = new Floor({
      agentExtra: `  traps: { listen: "127.0.0.1:${trapPort}", rateLimit: { perSecond: 1, burst: 5 } }`,
      devices: `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: snmp, address: "127.0.0.1:${sim.port}", profile: ups-mib, interval: 1h, options: { community: ${COMMUNITY} } }`,
    });
    await floor.startCollector();
    await floor.startAgent();
    await floor.agent!.waitFor(/SNMP trap receiver listening/);
    metrics = `${floor.agentUrl}/metrics`;
  }, 60_000);

  afterAll(async () => {
    await floor?.stop();
    await sim?.stop();
  });

  it("a valid trap from an address no device has is counted as unknown_source and raises nothing", async () => {
    for (let i = 0; i < 3; i += 1) await onBattery("127.0.0.2");
    await until("unknown_source counted", async () => ((await traps("unknown_source")) >= 3 ? true : undefined), 5000, 50);
    // The same trap from the device's address does raise the fault (so the spoof's silence is the filter's).
    await onBattery("127.0.0.1");
    await until(
      "the device's own trap at the collector",
      async () =>
        (await floor.api<Faults>("/api/v1/faults")).body.faults.find((f) => f.condition === "ups.on_battery"),
      5000,
      50,
    );
    expect(await traps("condition")).toBe(1);
    expect(await traps("unknown_source")).toBe(3);
    // One log line for the three (at most one per reason every 10 s).
    await until("the unknown-source log line", () => (/SNMP trap from an address no device has/.test(floor.agent!.output) ? true : undefined), 5000, 50);
    expect(floor.agent!.output.match(/SNMP trap from an address no device has/g)?.length).toBe(1);
  });

  it("a flood from the device's own address is held to the token bucket and counted as rate_limited", async () => {
    const before = (await traps("poll")) + (await traps("rate_limited"));
    const packets = Array.from({ length: 60 }, (_, i) =>
      communityMessage({ community: COMMUNITY, requestId: 1000 + i, varbinds: notificationVarbinds(COLD_START) }),
    );
    const t0 = Date.now();
    await sendUdp(trapPort, packets);
    await until(
      "the flood handled",
      async () => ((await traps("poll")) + (await traps("rate_limited")) - before >= 60 ? true : undefined),
      5000,
      50,
    );
    const seconds = (Date.now() - t0) / 1000;
    const admitted = await traps("poll");
    // The bucket held at most its burst (5, less what the first test used) plus 1/s since it began.
    expect(admitted).toBeLessThanOrEqual(5 + Math.ceil(seconds) + 3);
    expect(await traps("rate_limited")).toBeGreaterThanOrEqual(60 - admitted);
    // The log line reaches the agent's stdout after the counter moves (a loaded machine shows the gap).
    await until("the rate-limit log line", () => (/over agent\.traps\.rateLimit/.test(floor.agent!.output) ? true : undefined), 5000, 50);
    expect(floor.agent!.output.match(/over agent\.traps\.rateLimit/g)?.length).toBe(1);
    // After a pause the device is heard again.
    await new Promise((r) => setTimeout(r, 1100));
    await sendUdp(trapPort, [communityMessage({ community: COMMUNITY, requestId: 2000, varbinds: notificationVarbinds(COLD_START) })]);
    await until("a trap admitted after the pause", async () => ((await traps("poll")) > admitted ? true : undefined), 5000, 50);
    expect((await fetch(`${floor.agentUrl}/healthz`)).status).toBe(200);
  });
});
