import { modbusDriver } from "./modbus/driver.ts";
import { snmpDriver } from "./snmp/driver.ts";
import type { Driver } from "./types.ts";

/** Every protocol the agent speaks; adding one is its folder plus one line here. */
// Each driver's options and source types differ; the site loader validates them with the driver's own
// schemas before `open`, so the registry holds drivers of any option/source type.
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous registry, typed per driver at its schemas
export const drivers: Record<string, Driver<any, any>> = {
  [modbusDriver.name]: modbusDriver,
  [snmpDriver.name]: snmpDriver,
};
