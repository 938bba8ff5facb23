import { probeSpec } from "../probe.ts";
import { ICMP_FIELDS, icmpOptionsSchema } from "./options.ts";

/** The ICMP echo burst probe as the registry lists it. */
export const icmpSpec = probeSpec("icmp", icmpOptionsSchema, ICMP_FIELDS, async () => (await import("./driver.ts")).icmpDriver);
