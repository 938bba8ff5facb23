import type { DriverSpec } from "../types.ts";
import { type SnmpOptions, type SnmpSource, snmpOptionsSchema, snmpSourceSchema } from "./options.ts";

/** The SNMP driver as the registry lists it: schemas now, net-snmp only when a device needs it. */
export const snmpSpec: DriverSpec<SnmpOptions, SnmpSource> = {
  name: "snmp",
  optionsSchema: snmpOptionsSchema,
  sourceSchema: snmpSourceSchema,
  load: async () => (await import("./driver.ts")).snmpDriver,
};
