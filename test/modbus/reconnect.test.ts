import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModbusDriver, modbusOptionsSchema } from "../../agent/drivers/modbus/driver.ts";
import { pollDevice } from "../../agent/poll.ts";
import { loadProfileFile } from "../../agent/profiles/load.ts";
import type { PreparedDevice } from "../../agent/site.ts";
import { deviceSchema } from "../../common/config/schema.ts";
import { createLogger } from "../../common/logger.ts";
import { CASES } from "./cases.ts";
import { type Peer, profilePath, seriesKey, startDevice } from "./peers.ts";

const ac = CASES.find((c) => c.profile === "generic-precision-ac-modbus")!;

function prepare(port: string, options: Record<string, unknown>): PreparedDevice {
  const config = deviceSchema.parse({
    id: "ac",
    name: "ac",
    class: "environment",
    driver: "modbus",
    address: `127.0.0.1:${port}`,
    profile: ac.profile,
    options,
  });
  const { profile } = loadProfileFile(profilePath(ac.profile));
  return { config, options: modbusOptionsSchema.parse(options), profile: profile! };
}

describe("a TCP device that drops the connection mid-poll", () => {
  let device: Peer;
  beforeAll(async () => {
    // The precision-AC map takes two requests a poll; every third request the server hangs up instead of answering.
    device = await startDevice({ transport: "tcp", dropEvery: 3, units: { "1": ac.unit } });
  });
  afterAll(() => device?.stop());

  it("the agent reconnects within the poll and carries on", async () => {
    const driver = createModbusDriver();
    const prepared = prepare(device.where, { timeoutMs: 1000, retries: 1 });
    const session = driver.open(prepared.config, prepared.options as never, {
      logger: createLogger("t", { level: "silent" }),
    });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await pollDevice(prepared, session, 5, Date.now));
    const bus = [...driver.buses.values()][0]!;
    await session.close();
    expect(results.map((r) => r.error ?? "up")).toEqual(Array(6).fill("up"));
    for (const r of results) {
      const readings = new Map(r.readings.map((x) => [seriesKey(x.name, x.labels), x.value]));
      expect(readings.get("temperature_celsius{sensor=supply_air}")).toBe(28.25);
    }
    // 12 requests plus the retried ones, a drop every third: the bus had to connect again several times.
    expect(bus.stats.connects).toBeGreaterThanOrEqual(4);
    expect(driver.buses.size).toBe(0);
  });

  it("without retries the poll that lost its connection fails, and the next one reconnects", async () => {
    const driver = createModbusDriver();
    const prepared = prepare(device.where, { timeoutMs: 1000, retries: 0 });
    const session = driver.open(prepared.config, prepared.options as never, {
      logger: createLogger("t", { level: "silent" }),
    });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await pollDevice(prepared, session, 5, Date.now));
    await session.close();
    const up = results.map((r) => r.up);
    expect(up.filter((u) => !u).length).toBeGreaterThanOrEqual(1);
    // Never two failures in a row: the first request after a drop reconnects at once.
    for (let i = 1; i < up.length; i++) expect(up[i - 1] || up[i]).toBe(true);
    expect(results.find((r) => !r.up)?.error).toMatch(/connection closed by peer/);
  });
});

describe("a TCP device that refuses connections", () => {
  it("is unreachable at once, and reconnects are spaced by a doubling backoff", async () => {
    // Port 1 on loopback: nothing listens there, the connect is refused immediately.
    const prepared = prepare("1", { timeoutMs: 500, retries: 0, reconnectMinMs: 300, reconnectMaxMs: 1000 });
    const driver = createModbusDriver();
    const session = driver.open(prepared.config, prepared.options as never, {
      logger: createLogger("t", { level: "silent" }),
    });
    const first = await pollDevice(prepared, session, 5, Date.now);
    const second = await pollDevice(prepared, session, 5, Date.now);
    await new Promise((r) => setTimeout(r, 350));
    const third = await pollDevice(prepared, session, 5, Date.now);
    const fourth = await pollDevice(prepared, session, 5, Date.now);
    const bus = [...driver.buses.values()][0]!;
    await session.close();
    expect(first.up).toBe(false);
    expect(first.error).toMatch(/connect to 127.0.0.1:1 failed/);
    expect(second.error).toMatch(/reconnecting, next attempt in \d+ ms/);
    expect(third.error).toMatch(/connect to 127.0.0.1:1 failed/);
    // After two failures the wait is 600 ms, more than the 300 ms after the first.
    expect(Number(/next attempt in (\d+) ms/.exec(fourth.error ?? "")?.[1])).toBeGreaterThan(300);
    expect(bus.stats.connects).toBe(2);
  });
});
