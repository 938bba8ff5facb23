/**
 * What Network UPS Tools' own drivers put on the wire for one poll (`upsdrv_updateinfo`) of the devices
 * Watchfloor ships a profile for: function code, start address and register count of each read request,
 * as read from the NUT source (github.com/networkupstools/nut, file and function cited per request; the
 * commits read are named below). Only the steady-state poll: one-off reads at start-up (inventory,
 * identification), retries after a failure and writes are left out. bench:modbus prices these with the
 * planner's own cost model and prints them beside the agent's default plan.
 *
 * Keyed by Watchfloor profile id; a profile with no entry has no NUT driver, and the bench prints "—".
 */

import type { ReadRequest } from "../agent/drivers/modbus/plan.ts";

export interface NutRead {
  /** Modbus function code: 3 = Read Holding Registers (libmodbus `modbus_read_registers`). */
  functionCode: 3;
  address: number;
  count: number;
  /** NUT source file and function issuing the request. */
  source: string;
}

export interface NutPlan {
  driver: string;
  /** The commit of the NUT file read. */
  commit: string;
  reads: NutRead[];
}

const APC = "drivers/apc_modbus.c upsdrv_updateinfo";
const HUAWEI = "drivers/huawei-ups2000.c";

export const NUT_PLANS: Record<string, NutPlan> = {
  "apc-smart-ups-modbus": {
    driver: "apc_modbus",
    commit: "8b3bad8a5e06112548b7703807624c02706d5c9f",
    reads: [
      { functionCode: 3, address: 0, count: 27, source: `${APC} (status data)` },
      { functionCode: 3, address: 128, count: 32, source: `${APC} (dynamic data)` },
      { functionCode: 3, address: 1026, count: 22, source: `${APC} (static data)` },
    ],
  },
  "huawei-ups2000-modbus": {
    driver: "huawei-ups2000",
    commit: "df183cfec0169adce65b07b4c9df4c14a920f5d0",
    // upsdrv_updateinfo calls update_timers (no I/O), update_alarm, update_info, update_status and
    // update_rw_var, in that order; every read goes through ups2000_read_registers (FC 3).
    reads: [
      {
        functionCode: 3,
        address: 41180,
        count: 27,
        source: `${HUAWEI} ups2000_update_alarm (first alarm register 40156 + 1024 for UPS 1)`,
      },
      { functionCode: 3, address: 11000, count: 28, source: `${HUAWEI} ups2000_update_info` },
      { functionCode: 3, address: 12000, count: 34, source: `${HUAWEI} ups2000_update_info` },
      { functionCode: 3, address: 19009, count: 1, source: `${HUAWEI} ups2000_update_info` },
      { functionCode: 3, address: 11024, count: 1, source: `${HUAWEI} ups2000_update_status (1024)` },
      { functionCode: 3, address: 11043, count: 1, source: `${HUAWEI} ups2000_update_status (1043)` },
      { functionCode: 3, address: 12002, count: 1, source: `${HUAWEI} ups2000_update_status (2002)` },
      {
        functionCode: 3,
        address: 11046,
        count: 1,
        source: `${HUAWEI} ups2000_update_rw_var → ups2000_beeper_get (1046)`,
      },
    ],
  },
};

/** A NUT plan as the planner's request type, so the bench prices it with the same cost model. */
export const nutRequests = (plan: NutPlan): ReadRequest[] =>
  plan.reads.map((r) => ({ table: "holding", address: r.address, count: r.count, spans: [] }));
