import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communityMessage, notificationVarbinds, PDU, UPS_ON_BATTERY } from "../fuzz/ber.ts";
import { sendUdp } from "../fuzz/udp.ts";
import { Floor } from "../harness/floor.ts";
import { scrape } from "../harness/metrics.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { until } from "../harness/process.ts";
import { freeUdpPort, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { snmptrapMissing, upsOnBatteryTrapV2c } from "../peers/snmptrap.ts";

/**
 * Issue 12 #2: an SNMPv2c InformRequest with the configured community and a version or request-id of
 * 2^40 made net-snmp throw a RangeError while writing the reply, outside any callback, and the agent
 * exited. The packets are built byte by byte (test/fuzz/ber.ts) and sent over UDP to a real agent; a
 * real collector and Debian's snmptrap show it still works afterwards.
 */
const OWN = join(import.meta.dirname, "..", "snmp", "recordings");
const missing = snmpsimMissing(OWN) ?? snmptrapMissing();
const skip = skipWithout(missing, "SNMP informs with out-of-range integers");

const COMMUNITY = "watchfloor-ups";
const TWO_40 = 2n ** 40n;

describe.skipIf(skip)("an inform with out-of-range integers does not kill the agent (issue 12 #2)", () => {
  let sim: Snmpsim;
  let floor: Floor;
  let trapPort = 0;

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
    trapPort = await freeUdpPort();
    floor = new Floor({
      agentExtra: `  traps: { listen: "127.0.0.1:${trapPort}" }`,
      devices: `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: snmp, address: "127.0.0.1:${sim.port}", profile: ups-mib, interval: 1h, options: { community: ${COMMUNITY} } }`,
    });
    await floor.startCollector();
    await floor.startAgent();
    await floor.agent!.waitFor(/SNMP trap receiver listening/);
  }, 60_000);

  afterAll(async () => {
    await floor?.stop();
    await sim?.stop();
  });

  it("survives informs whose version or request-id is 2^40 (and their negatives), then still takes a real trap", async () => {
    const informs = [
      communityMessage({ version: TWO_40, community: COMMUNITY, pduType: PDU.inform }),
      communityMessage({ version: 1, community: COMMUNITY, pduType: PDU.inform, requestId: TWO_40 }),
      communityMessage({ version: 1, community: COMMUNITY, pduType: PDU.inform, requestId: -TWO_40 }),
      communityMessage({ version: 1, community: COMMUNITY, pduType: PDU.inform, errorStatus: TWO_40 }),
      communityMessage({ version: 1, community: COMMUNITY, pduType: PDU.inform, errorIndex: TWO_40 }),
      communityMessage({
        version: 1,
        community: COMMUNITY,
        pduType: PDU.inform,
        varbinds: notificationVarbinds(UPS_ON_BATTERY, TWO_40),
      }),
    ];
    await sendUdp(trapPort, informs);
    // Each packet is either answered or counted as a listener error; wait until all six were handled.
    const metrics = `${floor.agentUrl}/metrics`;
    await until(
      "the informs handled",
      async () =>
        (await scrape(metrics, "watchfloor_agent_errors_total", { component: "snmp_traps" })) +
          (await scrape(metrics, "watchfloor_agent_snmp_traps_total")) >=
        informs.length
          ? true
          : undefined,
      5000,
      50,
    );
    expect(floor.agent!.child.exitCode).toBeNull();
    expect(await scrape(metrics, "watchfloor_agent_errors_total", { component: "snmp_traps" })).toBeGreaterThan(0);
    expect((await fetch(`${floor.agentUrl}/healthz`)).status).toBe(200);
    expect(floor.agent!.output).toMatch(/SNMP trap listener: a packet failed/);

    // The listener keeps listening: a valid trap from Debian's snmptrap still opens the fault.
    await upsOnBatteryTrapV2c(trapPort, COMMUNITY);
    const fault = await until(
      "ups.on_battery at the collector",
      async () =>
        (await floor.api<{ faults: Array<{ device: string; condition: string }> }>("/api/v1/faults")).body.faults.find(
          (f) => f.device === "ups-1" && f.condition === "ups.on_battery",
        ),
      5000,
      50,
    );
    expect(fault).toBeDefined();
  });
});
