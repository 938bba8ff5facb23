import type { z } from "zod";
import type { DriverSpec } from "../types.ts";
import { type ModbusOptions, modbusOptionsSchema } from "./options.ts";
import { type ModbusSource, modbusSourceSchema } from "./source.ts";

/** The Modbus driver as the registry lists it: schemas now, modbus-serial only when a device needs it. */
export const modbusSpec: DriverSpec<ModbusOptions, ModbusSource> = {
  name: "modbus",
  optionsSchema: modbusOptionsSchema,
  sourceSchema: modbusSourceSchema as z.ZodType<ModbusSource>,
  load: async () => (await import("./driver.ts")).modbusDriver,
};
