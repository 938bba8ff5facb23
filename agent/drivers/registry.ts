import { hostSpec } from "./host/spec.ts";
import { httpSpec } from "./http/spec.ts";
import { icmpSpec } from "./icmp/spec.ts";
import { modbusSpec } from "./modbus/spec.ts";
import { pjlinkSpec } from "./pjlink/spec.ts";
import { sipSpec } from "./sip/spec.ts";
import { snmpSpec } from "./snmp/spec.ts";
import { tcpSpec } from "./tcp/spec.ts";
import type { Driver, DriverSpec } from "./types.ts";

/**
 * Every protocol the agent speaks; adding one is its folder (with a `spec.ts`: name, schemas and a
 * `load` that dynamically imports the driver) plus one line here. Nothing here imports a protocol
 * library: checking a config loads none, and the agent loads only the drivers its devices use.
 */
// Each driver's options and source types differ; the site loader validates them with the driver's own
// schemas before `open`, so the registry holds drivers of any option/source type.
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous registry, typed per driver at its schemas
export const drivers: Record<string, DriverSpec<any, any>> = {
  [modbusSpec.name]: modbusSpec,
  [snmpSpec.name]: snmpSpec,
  [httpSpec.name]: httpSpec,
  [tcpSpec.name]: tcpSpec,
  [icmpSpec.name]: icmpSpec,
  [sipSpec.name]: sipSpec,
  [pjlinkSpec.name]: pjlinkSpec,
  [hostSpec.name]: hostSpec,
};

/** Loads the code of the named drivers (each once), e.g. those the site's devices use. */
// biome-ignore lint/suspicious/noExplicitAny: see `drivers`
export async function loadDrivers(names: Iterable<string>): Promise<Map<string, Driver<any, any>>> {
  const wanted = [...new Set(names)];
  const loaded = await Promise.all(
    wanted.map((name) => {
      const spec = drivers[name];
      if (!spec) throw new Error(`unknown driver ${name}; expected one of ${Object.keys(drivers).join(", ")}`);
      return spec.load();
    }),
  );
  return new Map(wanted.map((name, i) => [name, loaded[i]!]));
}
