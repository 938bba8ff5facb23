import { probeSpec } from "../probe.ts";
import { HTTP_FIELDS, httpOptionsSchema } from "./options.ts";

/** The HTTP(S) probe as the registry lists it. */
export const httpSpec = probeSpec("http", httpOptionsSchema, HTTP_FIELDS, async () => (await import("./driver.ts")).httpDriver);
