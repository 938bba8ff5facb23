import { z } from "zod";
import type { DeviceConfig } from "../../common/config/schema.ts";
import type { Driver, DriverContext, DriverSession, DriverSpec, RawRead } from "./types.ts";

/**
 * What one probe (an HTTP request, a TCP connect, a ping burst, a SIP OPTIONS) measured: numbers by
 * field name. A field left out was not measured this time (no status code when nothing answered): its
 * reading is absent, which is neither an error nor evidence for a condition.
 */
export type ProbeFields<F extends string> = Partial<Record<F, number>>;

/** A probe driver's profile source: which field of the probe a reading takes. */
export interface FieldSource<F extends string> {
  field: F;
}

export function fieldSourceSchema<F extends string>(fields: readonly [F, ...F[]]): z.ZodType<FieldSource<F>> {
  return z.strictObject({ field: z.enum(fields) }) as unknown as z.ZodType<FieldSource<F>>;
}

/** One device's probe: run once per poll; a target that does not answer is a result (success 0), not a throw. */
export interface Prober<F extends string> {
  probe(signal: AbortSignal): Promise<ProbeFields<F>>;
  close?(): Promise<void>;
}

class ProbeSession<F extends string> implements DriverSession<FieldSource<F>> {
  constructor(private prober: Prober<F>) {}

  async read(sources: readonly FieldSource<F>[], signal: AbortSignal): Promise<RawRead[]> {
    const fields = await this.prober.probe(signal);
    return sources.map((s) => {
      const value = fields[s.field];
      return { ok: true, samples: value === undefined ? [] : [{ value }] };
    });
  }

  async close(): Promise<void> {
    await this.prober.close?.();
  }
}

/**
 * A driver whose device is a probe: the probe's verdict (success 0 when the target is silent) is a
 * reading, so the device itself stays "up" and the profile's conditions (link.down, trunk.down) say
 * what failed — no device.unreachable on top of the same outage.
 */
export function probeDriver<O, F extends string>(
  name: string,
  optionsSchema: z.ZodType<O>,
  fields: readonly [F, ...F[]],
  open: (device: DeviceConfig, options: O, ctx: DriverContext) => Prober<F>,
): Driver<O, FieldSource<F>> {
  return {
    name,
    optionsSchema,
    sourceSchema: fieldSourceSchema(fields),
    open: (device, options, ctx) => new ProbeSession(open(device, options, ctx)),
  };
}

/** The registry's entry for a probe driver: schemas now, the probe's code when a device uses it. */
export function probeSpec<O, F extends string>(
  name: string,
  optionsSchema: z.ZodType<O>,
  fields: readonly [F, ...F[]],
  load: () => Promise<Driver<O, FieldSource<F>>>,
): DriverSpec<O, FieldSource<F>> {
  return { name, optionsSchema, sourceSchema: fieldSourceSchema(fields), load };
}

/** Seconds since `started` (a performance.now() value), for *_seconds fields. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
