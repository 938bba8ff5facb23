import { probeSpec } from "../probe.ts";
import { SIP_FIELDS, sipOptionsSchema } from "./options.ts";

/** The SIP OPTIONS probe as the registry lists it. */
export const sipSpec = probeSpec("sip", sipOptionsSchema, SIP_FIELDS, async () => (await import("./driver.ts")).sipDriver);
