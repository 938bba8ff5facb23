import type { Logger } from "pino";
import type { z } from "zod";
import type { DeviceConfig } from "../../common/config/schema.ts";

/** One raw value from a device; table reads give one sample per row, labelled by the driver. */
export interface RawSample {
  labels?: Record<string, string>;
  value: number | bigint | string;
}

/** The outcome of reading one profile source: values, or an error naming what failed (register, OID). */
export type RawRead = { ok: true; samples: RawSample[] } | { ok: false; error: string };

/** Thrown by a session when the device as a whole cannot be reached (timeout, refused, reset). */
export class DeviceUnreachableError extends Error {
  override name = "DeviceUnreachableError";
}

export interface DriverContext {
  logger: Logger;
}

/**
 * A driver turns a device into raw values. It knows nothing of readings' meaning, conditions or
 * faults: the profile maps its raw values to canonical readings.
 */
export interface Driver<Options = unknown, Source = unknown> {
  readonly name: string;
  /** Validates `devices[].options` for this driver. */
  readonly optionsSchema: z.ZodType<Options>;
  /** Validates `readings[].source` in profiles written for this driver. */
  readonly sourceSchema: z.ZodType<Source>;
  open(device: DeviceConfig, options: Options, ctx: DriverContext): DriverSession<Source>;
}

/**
 * What the agent knows of a driver before any device uses it: its name and schemas (enough to check a
 * config) and how to load its code. The code (protocol libraries, sockets) is imported only when a
 * device of the site uses the driver, so an agent pays in memory only for the protocols it speaks.
 */
export interface DriverSpec<Options = unknown, Source = unknown> {
  readonly name: string;
  readonly optionsSchema: z.ZodType<Options>;
  readonly sourceSchema: z.ZodType<Source>;
  load(): Promise<Driver<Options, Source>>;
}

export interface DriverSession<Source = unknown> {
  /**
   * Reads every source, results aligned with `sources`. A source that fails on its own (an illegal
   * register, a missing OID) is an error result; a device that does not answer at all throws
   * DeviceUnreachableError.
   */
  read(sources: readonly Source[], signal: AbortSignal): Promise<RawRead[]>;
  close(): Promise<void>;
}
