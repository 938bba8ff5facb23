import { modbusDriver } from "./modbus/driver.ts";
import { snmpDriver } from "./snmp/driver.ts";
import type { Driver } from "./types.ts";

/** Every protocol the agent speaks; adding one is its folder plus one line here. */
export const drivers: Record<string, Driver<any, any>> = {
  [modbusDriver.name]: modbusDriver,
  [snmpDriver.name]: snmpDriver,
};
