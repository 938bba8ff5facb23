import { skipWithout } from "../harness/peer-gate.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Snmpd, snmpdMissing, startSnmpd, V3_USER } from "../peers/snmpd.ts";
import { type OnceLine, readingsOf, runOnce, snmpDevice } from "./agent-once.ts";

/** Debian's snmpd with an SNMPv3 authPriv user (SHA + AES), polled through the host-resources profile. */
const missing = snmpdMissing();
const skip = skipWithout(missing, "SNMPv3 against Debian's snmpd");

describe.skipIf(skip)("SNMPv3 against Debian's snmpd", () => {
  let snmpd: Snmpd;
  let lines: Map<string, OnceLine>;
  let stderr = "";

  beforeAll(async () => {
    snmpd = await startSnmpd();
    const at = `127.0.0.1:${snmpd.port}`;
    const res = await runOnce(
      [
        snmpDevice(
          "v3-good",
          at,
          "host-resources",
          { version: "3", v3: { ...V3_USER, privKey: "${env:WF_TEST_PRIV}" } },
          "server",
        ),
        snmpDevice(
          "v3-wrong-priv",
          at,
          "host-resources",
          { version: "3", v3: { ...V3_USER, privKey: "wrongpriv999" }, timeoutMs: 1000, retries: 0 },
          "server",
        ),
        snmpDevice(
          "v3-wrong-auth",
          at,
          "host-resources",
          { version: "3", v3: { ...V3_USER, authKey: "wrongauth999" }, timeoutMs: 1000, retries: 0 },
          "server",
        ),
        snmpDevice("v2c-neighbour", at, "if-mib", { community: "public" }),
      ],
      { WF_TEST_PRIV: V3_USER.privKey },
    );
    lines = res.lines;
    stderr = res.stderr;
  }, 60_000);

  afterAll(async () => {
    await snmpd?.stop();
  });

  it("polls a SHA + AES authPriv user", () => {
    const good = lines.get("v3-good")!;
    expect(good.up, good.error).toBe(true);
    expect(readingsOf(good, "if_oper_up", { ifname: "lo" }).map((r) => r.value)).toEqual([1]);
    expect(readingsOf(good, "system_uptime_seconds")[0]!.value).toBeGreaterThan(0);
    // hrProcessorLoad needs a minute of snmpd uptime; memory is there at once.
    const memory = readingsOf(good, "memory_utilization_ratio");
    expect(memory).toHaveLength(1);
    expect(memory[0]!.value).toBeGreaterThan(0);
    expect(memory[0]!.value).toBeLessThanOrEqual(1);
  });

  it("marks a device with a wrong auth key down with a clear error naming the device", () => {
    const bad = lines.get("v3-wrong-auth")!;
    expect(bad.up).toBe(false);
    expect(bad.error).toMatch(/127\.0\.0\.1:\d+/);
    expect(bad.error).toMatch(/wfuser/);
    expect(bad.error).toMatch(/auth|digest/i);
    expect(bad.conditions).toContainEqual({ name: "device.unreachable", labels: {}, state: "firing" });
  });

  it("marks a device with a wrong privacy key down", () => {
    const bad = lines.get("v3-wrong-priv")!;
    expect(bad.up).toBe(false);
    expect(bad.error).toMatch(/no answer.*wfuser.*privKey/);
  });

  it("keeps polling the other devices and never prints a key", () => {
    expect(lines.get("v2c-neighbour")?.up).toBe(true);
    const all = JSON.stringify([...lines.values()]) + stderr;
    for (const key of [V3_USER.authKey, V3_USER.privKey, "wrongpriv999", "wrongauth999"])
      expect(all).not.toContain(key);
  });
});

/**
 * Old UPS cards speak only MD5 + DES. Node 20's OpenSSL keeps DES in the legacy provider: without it the
 * device gets a clear error saying how to enable it; with NODE_OPTIONS=--openssl-legacy-provider it polls.
 */
describe.skipIf(skip)("SNMPv3 MD5 + DES against Debian's snmpd", () => {
  let snmpd: Snmpd;
  const des = {
    user: "olduser",
    authProtocol: "md5",
    authKey: "authpass123",
    privProtocol: "des",
    privKey: "privpass123",
  };

  beforeAll(async () => {
    snmpd = await startSnmpd([
      `createUser ${des.user} MD5 "${des.authKey}" DES "${des.privKey}"`,
      `rouser ${des.user} authpriv`,
    ]);
  }, 30_000);

  afterAll(async () => {
    await snmpd?.stop();
  });

  it("says how to enable DES when the legacy provider is off, and polls with it on", async () => {
    const device = snmpDevice("old-ups-card", `127.0.0.1:${snmpd.port}`, "if-mib", {
      version: "3",
      v3: des,
      timeoutMs: 1000,
      retries: 0,
    });
    const off = await runOnce([device], { NODE_OPTIONS: "" });
    expect(off.lines.get("old-ups-card")?.up).toBe(false);
    expect(off.lines.get("old-ups-card")?.error).toMatch(/NODE_OPTIONS=--openssl-legacy-provider/);
    const on = await runOnce([device], { NODE_OPTIONS: "--openssl-legacy-provider" });
    const line = on.lines.get("old-ups-card");
    expect(line?.up, line?.error).toBe(true);
    expect(readingsOf(line, "if_oper_up", { ifname: "lo" }).map((r) => r.value)).toEqual([1]);
  });
});
