import { probeSpec } from "../probe.ts";
import { TCP_FIELDS, tcpOptionsSchema } from "./options.ts";

/** The TCP connect probe as the registry lists it. */
export const tcpSpec = probeSpec("tcp", tcpOptionsSchema, TCP_FIELDS, async () => (await import("./driver.ts")).tcpDriver);
