import { afterAll, beforeAll } from "vitest";
import { join } from "node:path";
import { V3_USER } from "../peers/snmpd.ts";
import { freeUdpPort, type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { Floor } from "./floor.ts";

/** The repository's own recordings (served by snmpsim for the trap floor's devices). */
export const OWN_RECORDINGS = join(import.meta.dirname, "..", "snmp", "recordings");
export const trapFloorMissing = (): string | undefined => snmpsimMissing(OWN_RECORDINGS);

/**
 * A collector and an agent with a trap receiver, and two SNMP devices served by snmpsim: `ups-9`
 * (v2c, community watchfloor-ups, profile ups-mib) and `sw-3` (v3 test user, profile if-mib).
 */
export async function startTrapFloor(
  opts: { trapRateLimit?: { perSecond: number; burst: number } } = {},
): Promise<{ floor: Floor; trapPort: number; stop(): Promise<void> }> {
  const sim: Snmpsim = await startSnmpsim({ source: OWN_RECORDINGS });
  const trapPort = await freeUdpPort();
  const at = `127.0.0.1:${sim.port}`;
  const floor = new Floor({
    agentExtra: `  traps: { listen: "127.0.0.1:${trapPort}"${opts.trapRateLimit ? `, rateLimit: ${JSON.stringify(opts.trapRateLimit)}` : ""} }`,
    devices: [
      `  - { id: ups-9, name: UPS, class: ups, zone: server-room, driver: snmp, address: "${at}", profile: ups-mib, interval: 1h, options: { community: watchfloor-ups } }`,
      `  - { id: sw-3, name: switch, class: network, zone: server-room, driver: snmp, address: "${at}", profile: if-mib, interval: 1h, ports: { names: [eth1] }, options: { version: "3", timeoutMs: 300, retries: 0, v3: ${JSON.stringify(V3_USER)} } }`,
    ].join("\n"),
  });
  const stop = async () => {
    await floor.stop();
    await sim.stop();
  };
  try {
    await floor.startCollector();
    await floor.startAgent();
    await floor.agent!.waitFor(/SNMP trap receiver listening/);
  } catch (err) {
    await stop();
    throw err;
  }
  return { floor, trapPort, stop };
}

/** Starts the trap floor before the suite's tests and stops it after; the fields fill in beforeAll. */
export function useTrapFloor(opts: Parameters<typeof startTrapFloor>[0] = {}): {
  floor: Floor;
  trapPort: number;
} {
  const env = {} as { floor: Floor; trapPort: number; stop?: () => Promise<void> };
  beforeAll(async () => Object.assign(env, await startTrapFloor(opts)), 60_000);
  afterAll(async () => env.stop?.());
  return env;
}
