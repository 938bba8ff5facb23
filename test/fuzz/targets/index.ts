import type { FuzzOptions, TargetResult } from "../report.ts";
import { fuzzConfig } from "./config.ts";
import { fuzzHttp } from "./http.ts";
import { fuzzModbus, modbusTargetMissing } from "./modbus.ts";
import { fuzzSnmp, snmpTargetMissing } from "./snmp.ts";

export interface FuzzTarget {
  /** Why the target cannot run here (a peer is missing), or undefined. */
  missing(): string | undefined;
  run(opts: FuzzOptions): Promise<TargetResult>;
}

export const TARGETS: Record<string, FuzzTarget> = {
  snmp: { missing: snmpTargetMissing, run: fuzzSnmp },
  http: { missing: () => undefined, run: fuzzHttp },
  config: { missing: () => undefined, run: fuzzConfig },
  modbus: { missing: modbusTargetMissing, run: fuzzModbus },
};
