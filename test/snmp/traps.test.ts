import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { node, type Proc, ROOT, tempDir, until } from "../harness/process.ts";
import { snmpdMissing, V3_USER } from "../peers/snmpd.ts";
import { freeUdpPort, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { linkDownTrapV2c, linkDownTrapV3, snmptrap, upsOnBatteryTrapV2c } from "../peers/snmptrap.ts";

/**
 * The devices here poll hourly, so a condition that arrives within seconds can only have come through
 * the trap path. The latency itself is a benchmark figure (`npm run bench:paging`), printed here and
 * not asserted tightly: a loaded CI machine must not fail a correct build.
 */
const TRAP_PATH_MS = 10_000;

/**
 * Debian's snmptrap sends v2c and v3 traps to a running agent; a local HTTP server stands in for the
 * collector (POST /api/v1/events) and records when each condition event arrives.
 */
/** The project's own small recordings (not LibreNMS's), so these tests run wherever snmpsim does. */
const OWN_RECORDINGS = join(import.meta.dirname, "recordings");
const missing = snmpsimMissing(OWN_RECORDINGS) ?? snmpdMissing();
const skip = skipWithout(missing, "SNMP traps reach the collector at once");

interface Received {
  at: number;
  event: {
    type: string;
    device?: string;
    condition?: string;
    state?: string;
    labels?: Record<string, string>;
  };
}

describe.skipIf(skip)("SNMP traps reach the collector at once", () => {
  let sim: Snmpsim;
  let collector: Server;
  let agent: Proc;
  let trapPort = 0;
  let metricsUrl = "";
  const received: Received[] = [];

  const waitFor = (pred: (e: Received["event"]) => boolean, after: number) =>
    until(
      "the condition event at the collector",
      () => received.find((r) => r.at >= after && pred(r.event)),
      5000,
      10,
    );

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN_RECORDINGS });
    collector = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const at = Date.now();
        if (req.url === "/api/v1/events")
          for (const event of JSON.parse(body).events) received.push({ at, event });
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ accepted: 1, duplicates: 0 }));
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", () => r()));
    trapPort = await freeUdpPort();
    const dir = tempDir("wf-traps-");
    const config = join(dir, "site.yaml");
    const sim_at = `127.0.0.1:${sim.port}`;
    writeFileSync(
      config,
      `site: { name: trap test }
agent:
  id: trap-agent
  listen: 127.0.0.1:0
  dataDir: ${join(dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  heartbeat: 1h
  jitter: 0
  collector: { url: "http://127.0.0.1:${(collector.address() as AddressInfo).port}", token: test-token }
  traps: { listen: "127.0.0.1:${trapPort}" }
devices:
  - { id: ups-v2c, name: UPS, class: ups, driver: snmp, address: "${sim_at}", profile: ups-mib, interval: 1h, options: { community: watchfloor-ups } }
  - { id: apc, name: APC, class: ups, driver: snmp, address: "${sim_at}", profile: apc-powernet-ups, interval: 1h, options: { community: watchfloor-apc-ups } }
  - id: switch-v3
    name: switch
    class: network
    driver: snmp
    address: "127.0.0.1:${sim.port}"
    profile: if-mib
    interval: 1h
    ports: { names: [eth1] }
    options: { version: "3", timeoutMs: 300, retries: 0, v3: ${JSON.stringify(V3_USER)} }
  - { id: floor-sw, name: access switch, class: network, driver: snmp, address: "${sim_at}", profile: if-mib, interval: 1h, options: { community: watchfloor-switch } }
`,
    );
    agent = node("watchfloor-agent.mjs", ["--config", config]);
    const m = await agent.waitFor(/listening on (http:\/\/[^\s]+)/);
    metricsUrl = `${m[1]}/metrics`;
    await agent.waitFor(/SNMP trap receiver listening/);
    // With a 1 h interval the devices' scheduled polls (at a phase hashed from their ids) may be up to an
    // hour away: here every poll is one a trap asked for.
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await new Promise((r) => collector?.close(r));
    await sim?.stop();
  });

  it("v2c upsTrapOnBattery raises ups.on_battery in under a second, then the confirming poll clears it", async () => {
    const t0 = Date.now();
    await upsOnBatteryTrapV2c(trapPort, "watchfloor-ups");
    const got = await waitFor(
      (e) => e.device === "ups-v2c" && e.condition === "ups.on_battery" && e.state === "firing",
      t0,
    );
    console.log(`v2c trap → collector: ${got.at - t0} ms`);
    expect(got.at - t0).toBeLessThan(TRAP_PATH_MS);
    // The recording is on mains: the poll the trap triggered sees that and clears the condition.
    await waitFor(
      (e) => e.device === "ups-v2c" && e.condition === "ups.on_battery" && e.state === "clear",
      got.at,
    );
  });

  it("v3 authPriv linkDown raises if.down for the interface the config names, in under a second", async () => {
    const t0 = Date.now();
    await linkDownTrapV3(trapPort, 2, "eth1");
    const got = await waitFor(
      (e) => e.device === "switch-v3" && e.condition === "if.down" && e.state === "firing",
      t0,
    );
    console.log(`v3 trap → collector: ${got.at - t0} ms`);
    expect(got.event.labels).toEqual({ ifname: "eth1" });
    expect(got.at - t0).toBeLessThan(TRAP_PATH_MS);
  });

  it("v1 APC upsOnBattery (a vendor trap from the profile) raises ups.on_battery", async () => {
    const t0 = Date.now();
    await snmptrap([
      "-v1",
      "-c",
      "watchfloor-apc-ups",
      `127.0.0.1:${trapPort}`,
      "1.3.6.1.4.1.318",
      "127.0.0.1",
      "6",
      "5",
      "",
    ]);
    const got = await waitFor(
      (e) => e.device === "apc" && e.condition === "ups.on_battery" && e.state === "firing",
      t0,
    );
    expect(got.at - t0).toBeLessThan(TRAP_PATH_MS);
  });

  it("counts unknown traps and traps with a wrong key instead of dropping them silently", async () => {
    await snmptrap(["-v2c", "-c", "watchfloor-ups", `127.0.0.1:${trapPort}`, "", "1.3.6.1.4.1.99999.0.42"]);
    await linkDownTrapV3(trapPort, 2, "eth1", "wrongauth999");
    const metrics = await until("trap counters", async () => {
      const text = await (await fetch(metricsUrl)).text();
      return /snmp_traps_total\{outcome="unknown_trap"\} 1/.test(text) &&
        /snmp_traps_total\{outcome="rejected"\} [1-9]/.test(text)
        ? text
        : undefined;
    });
    expect(metrics).toMatch(/snmp_traps_total\{outcome="condition"\} 3/);
    expect(agent.output).toMatch(/unknown SNMP trap/);
  });

  // Port faults that matter: watchfloor-switch.snmprec has an uplink (alias "uplink to core-sw") down,
  // a seat port down, a port shut by an administrator, and an Eth-Trunk up; floor-sw has the default `ports:`.
  const ifDown = (ifname: string, state: string) => (e: Received["event"]) =>
    e.device === "floor-sw" && e.condition === "if.down" && e.labels?.ifname === ifname && e.state === state;

  it("a linkDown for a seat port opens nothing; the poll it triggers opens if.down for the uplink it sees down", async () => {
    await linkDownTrapV2c(trapPort, "watchfloor-switch", 3, "GigabitEthernet0/0/5");
    await waitFor(ifDown("XGigabitEthernet0/0/1", "firing"), 0); // or by a scheduled poll before the trap
    await new Promise((r) => setTimeout(r, 300));
    // Neither the seat port (down in the recording too) nor the port an administrator shut.
    const ports = received.filter((r) => r.event.device === "floor-sw" && r.event.condition === "if.down");
    expect(ports.map((r) => [r.event.labels, r.event.state])).toEqual([
      [{ ifname: "XGigabitEthernet0/0/1" }, "firing"],
    ]);
  });

  it("a linkDown for the uplink Eth-Trunk raises if.down at once; the poll sees it up and clears it", async () => {
    const t0 = Date.now();
    await linkDownTrapV2c(trapPort, "watchfloor-switch", 1, "Eth-Trunk1");
    const fired = await waitFor(ifDown("Eth-Trunk1", "firing"), t0);
    expect(fired.at - t0).toBeLessThan(TRAP_PATH_MS);
    await waitFor(ifDown("Eth-Trunk1", "clear"), fired.at);
  });

  it("a linkDown that names the uplink only by ifIndex raises if.down for the port as the polls name it (one fault, not two)", async () => {
    // The earlier tests' polls taught the agent the switch's ports. RFC 2863's linkDown carries ifIndex,
    // ifAdminStatus and ifOperStatus only; the recording names ifIndex 1 "Eth-Trunk1" (ifName).
    const t0 = Date.now();
    await linkDownTrapV2c(trapPort, "watchfloor-switch", 1);
    const fired = await waitFor(ifDown("Eth-Trunk1", "firing"), t0);
    expect(fired.event.labels).toEqual({ ifname: "Eth-Trunk1" });
    await waitFor(ifDown("Eth-Trunk1", "clear"), fired.at);
    const byIndex = received.filter((r) => r.at >= t0 && r.event.labels?.ifname?.startsWith("ifIndex"));
    expect(byIndex).toEqual([]);
  });
});
