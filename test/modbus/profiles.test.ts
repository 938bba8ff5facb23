import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES } from "./cases.ts";
import {
  type OnceLine,
  type Peer,
  profilePath,
  runOnce,
  seriesKey,
  startDevice,
  startPtyPair,
  testProfilePath,
} from "./peers.ts";

const units = Object.fromEntries(CASES.map((c, i) => [String(i + 1), c.unit]));
const profiles = CASES.map((c) => (c.testOnly ? testProfilePath(c.profile) : profilePath(c.profile)));

function devices(address: string, options: Record<string, unknown>) {
  return CASES.map((c, i) => ({
    id: c.id ?? c.profile,
    name: c.id ?? c.profile,
    class: "other",
    driver: "modbus",
    address,
    profile: c.profile,
    options: { ...options, unitId: i + 1 },
  }));
}

function checkLine(line: OnceLine | undefined, c: (typeof CASES)[number]): void {
  expect(line, `no output line for ${c.profile}`).toBeDefined();
  expect(line!.up, `${c.profile}: ${line!.error}`).toBe(true);
  expect(line!.readingErrors ?? []).toEqual([]);
  const readings = new Map(line!.readings.map((r) => [seriesKey(r.name, r.labels), r.value]));
  for (const [key, value] of Object.entries(c.readings))
    expect(readings.get(key), `${c.profile} ${key}`).toBe(value);
  const conditions = new Map(line!.conditions.map((x) => [seriesKey(x.name, x.labels), x.state]));
  for (const key of c.firing) expect(conditions.get(key), `${c.profile} ${key}`).toBe("firing");
  for (const key of c.clear) expect(conditions.get(key), `${c.profile} ${key}`).toBe("clear");
  for (const key of c.absent ?? [])
    expect(readings.has(key), `${c.profile} ${key} must be absent`).toBe(false);
  expect(conditions.get("device.unreachable")).toBe("clear");
}

describe("every shipped profile over Modbus TCP (pymodbus, one server, one unit per profile)", () => {
  let device: Peer;
  beforeAll(async () => {
    device = await startDevice({ transport: "tcp", units });
  });
  afterAll(() => device?.stop());

  it("--once prints the canonical readings and conditions", async () => {
    const { lines, stderr } = await runOnce(
      profiles,
      devices(`127.0.0.1:${device.where}`, { timeoutMs: 2000 }),
    );
    expect(lines.length, stderr).toBe(CASES.length);
    for (const c of CASES)
      checkLine(
        lines.find((l) => l.device === (c.id ?? c.profile)),
        c,
      );
  });
});

describe("every shipped profile over Modbus RTU (pymodbus on a socat pty, all units on one bus)", () => {
  let device: Peer;
  let pty: Awaited<ReturnType<typeof startPtyPair>>;
  beforeAll(async () => {
    pty = await startPtyPair();
    device = await startDevice({ transport: "rtu", device: pty.server, units });
  });
  afterAll(async () => {
    await device?.stop();
    await pty?.stop();
  });

  it("--once prints the canonical readings and conditions", async () => {
    const { lines, stderr } = await runOnce(
      profiles,
      devices(pty.client, { transport: "rtu", baudRate: 9600, timeoutMs: 1000 }),
    );
    expect(lines.length, stderr).toBe(CASES.length);
    for (const c of CASES)
      checkLine(
        lines.find((l) => l.device === (c.id ?? c.profile)),
        c,
      );
  });
});

describe("every shipped profile over RTU-over-TCP (pymodbus sending RTU frames on TCP, like a serial server)", () => {
  let device: Peer;
  beforeAll(async () => {
    device = await startDevice({ transport: "tcp", framer: "rtu", units });
  });
  afterAll(() => device?.stop());

  it("--once prints the canonical readings and conditions", async () => {
    const { lines, stderr } = await runOnce(
      profiles,
      devices(`127.0.0.1:${device.where}`, { transport: "rtu-over-tcp", timeoutMs: 1000 }),
    );
    expect(lines.length, stderr).toBe(CASES.length);
    for (const c of CASES)
      checkLine(
        lines.find((l) => l.device === (c.id ?? c.profile)),
        c,
      );
  });
});
