import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { resolveAutoProfiles } from "../../agent/drivers/snmp/auto.ts";
import { snmpOptionsSchema } from "../../agent/drivers/snmp/options.ts";
import type { RawRead } from "../../agent/drivers/types.ts";
import { loadProfiles } from "../../agent/profiles/load.ts";
import type { PreparedDevice } from "../../agent/site.ts";
import { deviceSchema } from "../../common/config/schema.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT } from "../harness/process.ts";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";

/**
 * A `profile: auto` re-probe that fails (the device stopped answering between the poll and the probe)
 * is logged at warn once per streak of failures, not with every poll that retries it. Peer: snmpsim
 * serving the switch recording, stopped and started again on the same port; the log is a real pino
 * logger writing into an array.
 */
const OWN = join(import.meta.dirname, "recordings");
const skip = skipWithout(snmpsimMissing(OWN), "profile: auto re-probe failures");

/** What a poll read of sysObjectID.0 and sysUpTime.0: here, a device other than the one probed. */
const IDENTITY_OF_ANOTHER: RawRead[] = [
  { ok: true, samples: [{ value: "1.3.6.1.2.1.33" }] },
  { ok: true, samples: [{ value: 100 }] },
];

describe.skipIf(skip)("a failed profile: auto re-probe", () => {
  let sim: Snmpsim | undefined;
  afterAll(async () => {
    await sim?.stop();
  });

  it("is logged at warn once per failure streak (device, reason, error), and retried at every poll", async () => {
    sim = await startSnmpsim({ source: OWN, only: ["watchfloor-switch"] });
    const port = sim.port;
    const { profiles } = loadProfiles(join(ROOT, "config/profiles"));
    const device: PreparedDevice = {
      config: deviceSchema.parse({
        id: "sw",
        name: "sw",
        class: "network",
        driver: "snmp",
        address: `127.0.0.1:${port}`,
        profile: "auto",
      }),
      options: snmpOptionsSchema.parse({ community: "watchfloor-switch", timeoutMs: 300, retries: 0 }),
      profile: profiles.get("if-mib")!,
    } as PreparedDevice;
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
    expect(await resolveAutoProfiles([device], profiles, Date.now, logger)).toEqual([]);
    const watch = device.watch!;
    const warnings = () => lines.filter((l) => l.msg === "profile: auto re-probe failed; retried at every poll");

    await sim.stop();
    sim = undefined;
    for (let poll = 0; poll < 3; poll++) await watch.check(IDENTITY_OF_ANOTHER);
    expect(watch.takeChange()).toBeUndefined();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ level: 40, device: "sw", reason: "sysobjectid" });
    expect(warnings()[0]!.error).toEqual(expect.any(String));
    expect(String(warnings()[0]!.error)).not.toBe("");

    // Back: the retry succeeds, and the streak ends.
    sim = await startSnmpsim({ source: OWN, only: ["watchfloor-switch"], port });
    await watch.check(IDENTITY_OF_ANOTHER);
    expect(watch.takeChange()).toMatchObject({ reason: "sysobjectid" });
    expect(warnings()).toHaveLength(1);

    // Gone again: a new streak, one more warning.
    await sim.stop();
    sim = undefined;
    for (let poll = 0; poll < 2; poll++) await watch.check(IDENTITY_OF_ANOTHER);
    expect(warnings()).toHaveLength(2);
  }, 60_000);
});
