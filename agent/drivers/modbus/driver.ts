import { z } from "zod";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import type { Driver, DriverContext } from "../types.ts";
import { type BusSettings, ModbusBus } from "./bus.ts";
import { ModbusSession } from "./session.ts";
import { type ModbusSource, modbusSourceSchema } from "./source.ts";

export { type ModbusSource, modbusSourceSchema } from "./source.ts";

export const modbusOptionsSchema = z.strictObject({
  /** tcp: Modbus TCP; rtu: RTU on a serial port (address = device path); rtu-over-tcp: RTU frames through a serial server. */
  transport: z.enum(["tcp", "rtu", "rtu-over-tcp"]).default("tcp"),
  unitId: z.number().int().min(0).max(255).default(1),
  /** Per-request timeout in milliseconds. */
  timeoutMs: z.number().int().min(50).default(2000),
  /** Extra attempts after a timeout or a dropped connection, per request. */
  retries: z.number().int().min(0).max(5).default(1),
  /** Largest register read the device accepts (Modbus allows 125). */
  maxRegisters: z.number().int().min(1).max(125).default(125),
  /** Largest coil / discrete-input read (Modbus allows 2000). */
  maxBits: z.number().int().min(1).max(2000).default(2000),
  /** Unused registers allowed between two values read in one request. */
  maxGap: z.number().int().min(0).max(124).default(0),
  /** Serial line settings (rtu only); every device on one port must agree. */
  baudRate: z.number().int().min(300).default(9600),
  parity: z.enum(["none", "even", "odd"]).default("none"),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Silence between exchanges on the line; default 3.5 characters on serial (at least 2 ms), 0 on TCP. */
  interFrameGapMs: z.number().min(0).optional(),
  /** Backoff after a failed connect, doubling from min to max. */
  reconnectMinMs: z.number().int().min(0).default(500),
  reconnectMaxMs: z.number().int().min(0).default(30_000),
});
export type ModbusOptions = z.infer<typeof modbusOptionsSchema>;

function busSettings(device: DeviceConfig, o: ModbusOptions): BusSettings {
  const bitsPerChar = 1 + o.dataBits + (o.parity === "none" ? 0 : 1) + o.stopBits;
  const serialGap = Math.max(2, (3.5 * bitsPerChar * 1000) / o.baudRate);
  return {
    transport: o.transport,
    address: device.address,
    serial: { baudRate: o.baudRate, parity: o.parity, dataBits: o.dataBits, stopBits: o.stopBits },
    interFrameGapMs: o.interFrameGapMs ?? (o.transport === "tcp" ? 0 : serialGap),
    reconnectMinMs: o.reconnectMinMs,
    reconnectMaxMs: o.reconnectMaxMs,
  };
}

/**
 * The Modbus driver. Devices that share a line (one serial port, or one TCP address such as a gateway
 * serving several unit ids) share one bus, so their requests never overlap; the bus closes when its last
 * device's session closes.
 */
export function createModbusDriver(): Driver<ModbusOptions, ModbusSource> & {
  buses: Map<string, ModbusBus>;
} {
  const buses = new Map<string, ModbusBus>();
  const users = new Map<string, number>();
  return {
    name: "modbus",
    optionsSchema: modbusOptionsSchema,
    sourceSchema: modbusSourceSchema as z.ZodType<ModbusSource>,
    buses,
    open(device: DeviceConfig, options: ModbusOptions, ctx: DriverContext) {
      const settings = busSettings(device, options);
      const busKey = `${settings.transport}:${settings.address}`;
      let bus = buses.get(busKey);
      if (!bus) {
        bus = new ModbusBus(settings);
        buses.set(busKey, bus);
      } else if (
        JSON.stringify(bus.settings.serial) !== JSON.stringify(settings.serial) &&
        settings.transport === "rtu"
      ) {
        ctx.logger.warn(
          { device: device.id, bus: busKey },
          "serial settings differ from the first device on this port; the first wins",
        );
      }
      users.set(busKey, (users.get(busKey) ?? 0) + 1);
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        const left = (users.get(busKey) ?? 1) - 1;
        users.set(busKey, left);
        if (left === 0) {
          buses.delete(busKey);
          users.delete(busKey);
          await bus.close();
        }
      };
      return new ModbusSession(device, { ...options }, bus, ctx, release);
    },
  };
}

export const modbusDriver = createModbusDriver();
