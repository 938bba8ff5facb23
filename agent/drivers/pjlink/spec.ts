import type { DriverSpec } from "../types.ts";
import { type FieldSource, fieldSourceSchema } from "../probe.ts";
import { PJLINK_FIELDS, type PjlinkField, type PjlinkOptions, pjlinkOptionsSchema } from "./options.ts";

/** The PJLink driver as the registry lists it. */
export const pjlinkSpec: DriverSpec<PjlinkOptions, FieldSource<PjlinkField>> = {
  name: "pjlink",
  optionsSchema: pjlinkOptionsSchema,
  sourceSchema: fieldSourceSchema(PJLINK_FIELDS),
  load: async () => (await import("./driver.ts")).pjlinkDriver,
};
