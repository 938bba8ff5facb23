import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createModbusDriver,
  modbusOptionsSchema,
  modbusSourceSchema,
} from "../../agent/drivers/modbus/driver.ts";
import { deviceSchema } from "../../common/config/schema.ts";
import { createLogger } from "../../common/logger.ts";
import { CASES } from "./cases.ts";
import { mbpoll, type Peer, startDevice, startPtyPair } from "./peers.ts";

const apc = CASES.find((c) => c.profile === "apc-smart-ups-modbus")!;
const ac = CASES.find((c) => c.profile === "generic-precision-ac-modbus")!;

/** Reads each register as a plain uint16 through the agent's driver: the raw values a profile starts from. */
async function agentRaw(
  address: string,
  options: Record<string, unknown>,
  table: "holding" | "input",
  first: number,
  count: number,
) {
  const driver = createModbusDriver();
  const config = deviceSchema.parse({
    id: "d",
    name: "d",
    class: "ups",
    driver: "modbus",
    address,
    profile: "x",
    options,
  });
  const session = driver.open(config, modbusOptionsSchema.parse(options), {
    logger: createLogger("t", { level: "silent" }),
  });
  const sources = Array.from({ length: count }, (_, i) =>
    modbusSourceSchema.parse({ table, address: first + i }),
  );
  const reads = await session.read(sources, new AbortController().signal);
  await session.close();
  return reads.map((r) => (r.ok ? Number(r.samples[0]!.value) : r.error));
}

describe("mbpoll (Debian) and the agent read the same raw registers", () => {
  describe("over TCP", () => {
    let device: Peer;
    beforeAll(async () => {
      device = await startDevice({ transport: "tcp", units: { "1": apc.unit, "4": ac.unit } });
    });
    afterAll(() => device?.stop());

    it("holding 128..131 of the APC map", async () => {
      const reference = await mbpoll([
        "-m",
        "tcp",
        "-p",
        device.where,
        "-a",
        "1",
        "-r",
        "128",
        "-c",
        "4",
        "-t",
        "4",
        "127.0.0.1",
      ]);
      expect(reference).toEqual([1, 0x1170, 92 * 512, 27.25 * 32]);
      expect(await agentRaw(`127.0.0.1:${device.where}`, { unitId: 1 }, "holding", 128, 4)).toEqual(
        reference,
      );
    });

    it("input 0..5 of the precision-AC map (floats, low word first)", async () => {
      const reference = await mbpoll([
        "-m",
        "tcp",
        "-p",
        device.where,
        "-a",
        "4",
        "-r",
        "0",
        "-c",
        "6",
        "-t",
        "3",
        "127.0.0.1",
      ]);
      expect(reference).toEqual([0, 0x41c4, 0, 0x4283, 0, 0x41e2]);
      expect(await agentRaw(`127.0.0.1:${device.where}`, { unitId: 4 }, "input", 0, 6)).toEqual(reference);
    });
  });

  describe("over RTU on a socat pty", () => {
    let device: Peer;
    let pty: Awaited<ReturnType<typeof startPtyPair>>;
    beforeAll(async () => {
      pty = await startPtyPair();
      device = await startDevice({ transport: "rtu", device: pty.server, units: { "1": apc.unit } });
    });
    afterAll(async () => {
      await device?.stop();
      await pty?.stop();
    });

    it("holding 0..1 and 128..131 of the APC map", async () => {
      const rtu = ["-m", "rtu", "-b", "9600", "-P", "none", "-a", "1"];
      const status = await mbpoll([...rtu, "-r", "0", "-c", "2", "-t", "4", pty.client]);
      const dynamic = await mbpoll([...rtu, "-r", "128", "-c", "4", "-t", "4", pty.client]);
      expect(status).toEqual([0x20, 0x24]);
      const options = { transport: "rtu", unitId: 1, timeoutMs: 1000 };
      expect(await agentRaw(pty.client, options, "holding", 0, 2)).toEqual(status);
      expect(await agentRaw(pty.client, options, "holding", 128, 4)).toEqual(dynamic);
    });
  });
});
