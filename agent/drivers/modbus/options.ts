import { z } from "zod";

/** `devices[].options` of a Modbus device (kept apart from the driver so checking a config loads no Modbus code). */
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
  /**
   * Unused registers allowed between two values read in one request. Leave it out: the planner picks
   * the plan with the least wire time for the transport (reading through a hole when that is cheaper
   * than another request). Set it only to force the old fixed rule.
   */
  maxGap: z.number().int().min(0).max(124).optional(),
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
