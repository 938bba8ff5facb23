import { type FieldSource, fieldSourceSchema } from "../probe.ts";
import type { DriverSpec } from "../types.ts";
import { HOST_FIELDS, type HostField, type HostOptions, hostOptionsSchema } from "./options.ts";

/** The host driver as the registry lists it: systeminformation is loaded only when a device uses it. */
export const hostSpec: DriverSpec<HostOptions, FieldSource<HostField>> = {
  name: "host",
  optionsSchema: hostOptionsSchema,
  sourceSchema: fieldSourceSchema(HOST_FIELDS),
  load: async () => (await import("./driver.ts")).hostDriver,
};
