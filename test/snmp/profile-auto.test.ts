import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { type Snmpsim, snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";
import { type OnceLine, readingsOf, runOnce, snmpDevice } from "./agent-once.ts";

/** `profile: auto` through the real CLI: the agent fingerprints each device before its first poll. */
const OWN = join(import.meta.dirname, "recordings");
const missing = snmpsimMissing(OWN);
const skip = skipWithout(missing, "profile: auto");

describe.skipIf(skip)("watchfloor-agent --once with profile: auto", () => {
  let sim: Snmpsim;
  let result: Awaited<ReturnType<typeof runOnce>>;
  let lines: Map<string, OnceLine>;

  beforeAll(async () => {
    sim = await startSnmpsim({ source: OWN });
    const at = `127.0.0.1:${sim.port}`;
    result = await runOnce([
      snmpDevice("rfc1628", at, "auto", { community: "watchfloor-ups" }, "ups"),
      snmpDevice("apc", at, "auto", { community: "watchfloor-apc-ups", version: "1" }, "ups"),
      snmpDevice(
        "nobody-home",
        "127.0.0.1:9",
        "auto",
        { community: "x", timeoutMs: 300, retries: 0 },
        "network",
      ),
      // A UPS card polled with a PDU's profile: it answers, but none of the profile's OIDs exist on it.
      snmpDevice("wrong-profile", at, "apc-rpdu2", { community: "watchfloor-ups" }, "pdu"),
    ]);
    lines = result.lines;
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("reads each recognised device with the profile its MIBs call for", () => {
    expect(readingsOf(lines.get("rfc1628"), "ups_battery_runtime_seconds", {}).map((r) => r.value)).toEqual([
      2700,
    ]);
    expect(readingsOf(lines.get("apc"), "ups_battery_charge_ratio", {}).length).toBe(1);
  });

  it("--once names the profiles it applied", () => {
    expect(lines.get("rfc1628")?.profiles?.[0]).toBe("ups-mib");
    expect(lines.get("wrong-profile")?.profiles).toEqual(["apc-rpdu2"]);
  });

  it("a device that answers with no readings at all is a warning with the reason, not a silent success", () => {
    const line = lines.get("wrong-profile")!;
    expect(line.up).toBe(true);
    expect(line.readings).toEqual([]);
    const warning = result.stderr.split("\n").find((l) => l.includes('"device":"wrong-profile"'));
    expect(warning).toMatch(/every reading failed|gave no readings/);
  });

  it("a device it cannot fingerprint is named in the log and still reported, as down", () => {
    expect(result.stderr).toContain("nobody-home: profile auto:");
    expect(lines.get("nobody-home")?.up).toBe(false);
    expect(result.code).toBe(0);
  });
});
