import type { z } from "zod";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import type { Driver, DriverContext } from "../types.ts";
import { type BusSettings, ModbusBus } from "./bus.ts";
import { type ModbusOptions, modbusOptionsSchema } from "./options.ts";
import { serialCost, TCP_COST, type WireCost } from "./plan.ts";
import { ModbusSession } from "./session.ts";
import { type ModbusSource, modbusSourceSchema } from "./source.ts";

export { type ModbusOptions, modbusOptionsSchema } from "./options.ts";
export { type ModbusSource, modbusSourceSchema } from "./source.ts";

/**
 * The cost model the planner minimises: the serial line's for RTU and for RTU through a serial server
 * (the line behind the gateway is the slow part), a LAN round trip for Modbus TCP.
 */
export function wireCost(o: ModbusOptions): WireCost {
  if (o.transport === "tcp") return TCP_COST;
  return serialCost(o.baudRate, 1 + o.dataBits + (o.parity === "none" ? 0 : 1) + o.stopBits);
}

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
      return new ModbusSession(device, { ...options, cost: wireCost(options) }, bus, ctx, release);
    },
  };
}

export const modbusDriver = createModbusDriver();
