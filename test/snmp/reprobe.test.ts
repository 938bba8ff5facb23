import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floor } from "../harness/floor.ts";
import { sampleValue } from "../harness/metrics.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { tempDir, until } from "../harness/process.ts";
import { type Snmpd, snmpdMissing, startSnmpd } from "../peers/snmpd.ts";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";

/**
 * `profile: auto` follows the device behind an address (issue 17 #1): a running agent (real process,
 * polling every second) notices through sysObjectID and sysUpTime, read with every poll, that the device
 * was replaced or restarted, probes it again and reads it with what it answers now. Peers: snmpsim
 * serving one recording and then another under the same community on the same port (a UPS card swapped
 * for a switch), and Debian's snmpd restarted on the same port with HOST-RESOURCES visible (a firmware
 * upgrade). Expected values are read from the same peers with Debian's snmpget.
 */
const OWN = join(import.meta.dirname, "recordings");
const skip = skipWithout(snmpsimMissing(OWN) ?? snmpdMissing(), "profile: auto re-probe");

const DEVICE = (id: string, port: number, community: string) =>
  `  - { id: ${id}, name: ${id}, class: network, zone: server-room, driver: snmp, address: "127.0.0.1:${port}", profile: auto, interval: 1s, timeout: 5s, options: { community: ${community}, timeoutMs: 800, retries: 0 } }`;

/** A recording served under community `dev`, from a folder of its own, with some OIDs answering otherwise. */
function asDev(recording: string, answers: Record<string, string> = {}): string {
  const dir = tempDir("wf-reprobe-rec-");
  const lines = readFileSync(join(OWN, `${recording}.snmprec`), "utf8")
    .split("\n")
    .map((line) => {
      const [oid, type] = line.split("|");
      return oid && answers[oid] !== undefined ? `${oid}|${type}|${answers[oid]}` : line;
    });
  writeFileSync(join(dir, "dev.snmprec"), lines.join("\n"));
  return dir;
}

/** The agent's JSON log lines with this message, about this device. */
function logLines(output: string, msg: string, device: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg && l.device === device);
}

const UPS_OUTPUT_SOURCE = "1.3.6.1.2.1.33.1.4.1.0";

function snmpget(port: number, community: string, oid: string): string {
  return execFileSync("snmpget", ["-v2c", "-c", community, "-Oqv", "-On", `127.0.0.1:${port}`, oid], {
    encoding: "utf8",
  })
    .trim()
    .replace(/^"|"$/g, "");
}

describe.skipIf(skip)("profile: auto probes a device again when it changed", () => {
  let sim: Snmpsim;
  let snmpd: Snmpd;
  let floor: Floor;
  // The UPS card on battery: upsOutputSource battery(5) (RFC 1628), the recording otherwise as taken.
  const upsDir = asDev("watchfloor-ups", { [UPS_OUTPUT_SOURCE]: "5" });
  const switchDir = asDev("watchfloor-switch");
  const metrics = async () => (await fetch(`${floor.agentUrl}/metrics`)).text();

  beforeAll(async () => {
    sim = await startSnmpsim({ source: upsDir });
    // A "firmware" that shows only the system group and interfaces: no HOST-RESOURCES.
    snmpd = await startSnmpd([], { view: [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.31"] });
    floor = new Floor({
      devices: [DEVICE("swapped", sim.port, "dev"), DEVICE("host", snmpd.port, "public")].join("\n"),
    });
    await floor.startAgent();
  }, 90_000);

  afterAll(async () => {
    await floor?.stop();
    await sim?.stop();
    await snmpd?.stop();
  });

  it("a device replaced behind its address (another sysObjectID): counted, logged, profiles and readings follow", async () => {
    // The UPS card: UPS-MIB only. upsEstimatedMinutesRemaining (RFC 1628) in minutes, read with snmpget.
    const minutes = Number(snmpget(sim.port, "dev", "1.3.6.1.2.1.33.1.2.3.0"));
    let text = await until(
      "the UPS card's readings",
      async () => {
        const t = await metrics();
        return sampleValue(t, "watchfloor_ups_battery_runtime_seconds", { device: "swapped" }) > 0
          ? t
          : undefined;
      },
      30_000,
    );
    expect(sampleValue(text, "watchfloor_ups_battery_runtime_seconds", { device: "swapped" })).toBe(
      minutes * 60,
    );
    expect(
      sampleValue(text, "watchfloor_device_profile_info", { device: "swapped", profile: "ups-mib" }),
    ).toBe(1);

    // On battery as snmpget reads it: ups.on_battery fires before the swap.
    expect(snmpget(sim.port, "dev", UPS_OUTPUT_SOURCE)).toBe("5");
    const changes = () => logLines(floor.agent!.output, "condition changed", "swapped");
    const onBattery = () => changes().filter((l) => l.condition === "ups.on_battery").map((l) => l.state);
    await until("ups.on_battery firing", async () => (onBattery().includes("firing") ? true : undefined), 30_000);

    // The card is swapped for a Huawei switch: same address, same community.
    const port = sim.port;
    await sim.stop();
    sim = await startSnmpsim({ source: switchDir, port });
    expect(snmpget(port, "dev", "1.3.6.1.2.1.1.2.0")).toBe(".1.3.6.1.4.1.2011.2.23.95");
    text = await until(
      "the re-probe after the swap",
      async () => {
        const t = await metrics();
        return sampleValue(t, "watchfloor_device_reprobes_total", {
          device: "swapped",
          reason: "sysobjectid",
        }) === 1 && t.includes('watchfloor_if_oper_up{device="swapped"')
          ? t
          : undefined;
      },
      30_000,
    );
    expect(
      sampleValue(text, "watchfloor_device_profile_info", { device: "swapped", profile: "huawei-vrp" }),
    ).toBe(1);
    expect(
      sampleValue(text, "watchfloor_device_profile_info", { device: "swapped", profile: "ups-mib" }),
    ).toBe(0);
    expect(text).not.toContain('watchfloor_ups_battery_runtime_seconds{device="swapped"');
    // ifIndex 1 and 2 as snmpget reads them: ifName, and ifOperStatus (1 up, 2 down).
    for (const index of [1, 2]) {
      const ifname = snmpget(port, "dev", `1.3.6.1.2.1.31.1.1.1.1.${index}`);
      const up = snmpget(port, "dev", `1.3.6.1.2.1.2.2.1.8.${index}`) === "1" ? 1 : 0;
      expect(
        sampleValue(text, "watchfloor_if_oper_up", { device: "swapped", ifname }),
        `if_oper_up of ${ifname}`,
      ).toBe(up);
    }
    // Logged at info with old → new.
    const line = floor
      .agent!.output.split("\n")
      .find((l) => l.includes('"device probed again (profile: auto)"') && l.includes('"swapped"'));
    expect(line, "the re-probe log line").toBeDefined();
    const logged = JSON.parse(line!) as Record<string, unknown>;
    expect(logged).toMatchObject({ level: 30, reason: "sysobjectid" });
    expect(logged.profiles).toMatch(/^ups-mib → huawei-vrp/);
    expect(logged.sysObjectID).toBe("1.3.6.1.2.1.33 → 1.3.6.1.4.1.2011.2.23.95");

    // The switch has no UPS-MIB (snmpget: no such instance), so no poll would clear ups.on_battery: the
    // re-probe clears it, with the event a poll's clear sends (the collector resolves the fault).
    expect(snmpget(port, "dev", UPS_OUTPUT_SOURCE)).toMatch(/^No Such (Object|Instance)/);
    expect(onBattery()).toEqual(["firing", "clear"]);
    const clear = changes().find((l) => l.condition === "ups.on_battery" && l.state === "clear")!;
    expect(clear.event).toMatch(/^[\w-]+-[0-9a-f-]{36}$/);
    const [cleared, ...more] = logLines(
      floor.agent!.output,
      "condition cleared: the device's profiles no longer declare it",
      "swapped",
    );
    expect(more).toEqual([]);
    expect(cleared).toMatchObject({ level: 30, condition: "ups.on_battery" });
    expect(cleared!.reason).toMatch(/^device replaced: profile ups-mib → huawei-vrp/);
    // The agent's own device.unreachable was never touched.
    expect(changes().filter((l) => l.condition === "device.unreachable")).toEqual([]);
  }, 120_000);

  it("a restart (sysUpTime went back) that brings HOST-RESOURCES: composed again with it", async () => {
    // Up long enough that the restart is seen going backwards.
    let text = await until(
      "3 s of snmpd uptime polled",
      async () => {
        const t = await metrics();
        return sampleValue(t, "watchfloor_system_uptime_seconds", { device: "host" }) >= 3 ? t : undefined;
      },
      30_000,
    );
    expect(sampleValue(text, "watchfloor_device_profile_info", { device: "host", profile: "if-mib" })).toBe(
      1,
    );
    expect(
      sampleValue(text, "watchfloor_device_profile_info", { device: "host", profile: "host-resources" }),
    ).toBe(0);
    expect(text).not.toContain('watchfloor_memory_utilization_ratio{device="host"');

    const port = snmpd.port;
    await snmpd.stop();
    snmpd = await startSnmpd([], { port });
    // hrStorageType of the first storage row answers now (HOST-RESOURCES-MIB, RFC 2790).
    expect(snmpget(port, "public", "1.3.6.1.2.1.25.2.3.1.2.1")).toMatch(/^\.1\.3\.6\.1\.2\.1\.25\.2\.1\./);
    text = await until(
      "the re-probe after the restart",
      async () => {
        const t = await metrics();
        return sampleValue(t, "watchfloor_device_reprobes_total", { device: "host", reason: "restart" }) ===
          1 && t.includes('watchfloor_memory_utilization_ratio{device="host"')
          ? t
          : undefined;
      },
      30_000,
    );
    expect(
      sampleValue(text, "watchfloor_device_profile_info", { device: "host", profile: "host-resources" }),
    ).toBe(1);
    expect(sampleValue(text, "watchfloor_device_profile_info", { device: "host", profile: "if-mib" })).toBe(
      1,
    );
    const memory = sampleValue(text, "watchfloor_memory_utilization_ratio", { device: "host" });
    expect(memory).toBeGreaterThan(0);
    expect(memory).toBeLessThanOrEqual(1);
    // The simulator's static sysUpTime never moved backwards: one re-probe for the swap, none since.
    expect(sampleValue(text, "watchfloor_device_reprobes_total", { device: "swapped" })).toBe(1);
  }, 120_000);
});
