import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Runs a script in a fresh Node (its own module cache) and returns which protocol libraries it loaded. */
function loadedLibraries(script: string): { netSnmp: boolean; modbusSerial: boolean; fastify: boolean } {
  const prelude = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const has = (n) => Object.keys(require.cache).some((k) => k.includes("/node_modules/" + n + "/"));
`;
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", `${prelude}${script}
console.log(JSON.stringify({ netSnmp: has("net-snmp"), modbusSerial: has("modbus-serial"), fastify: has("fastify") }));`],
    { cwd: `${import.meta.dirname}/../..`, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("driver registry: protocol code is loaded only when a device uses it", () => {
  it("listing the drivers and checking a site loads no protocol library", () => {
    expect(
      loadedLibraries(`const { drivers } = await import("./agent/drivers/registry.ts");
await import("./agent/site.ts");
if (Object.keys(drivers).length < 2) throw new Error("registry empty");`),
    ).toEqual({ netSnmp: false, modbusSerial: false, fastify: false });
  });

  it("loading the snmp driver loads net-snmp and not modbus-serial", () => {
    expect(
      loadedLibraries(`const { loadDrivers } = await import("./agent/drivers/registry.ts");
const loaded = await loadDrivers(["snmp", "snmp"]);
if (loaded.get("snmp")?.name !== "snmp" || loaded.size !== 1) throw new Error("snmp not loaded");`),
    ).toEqual({ netSnmp: true, modbusSerial: false, fastify: false });
  });

  it("the agent module graph (agent, server, metrics) needs no web framework", () => {
    expect(
      loadedLibraries(`await import("./agent/agent.ts"); await import("./agent/server.ts"); await import("./agent/cli.ts");`),
    ).toEqual({ netSnmp: false, modbusSerial: false, fastify: false });
  });

  it("an unknown driver name is refused with the known ones", async () => {
    const { loadDrivers } = await import("./registry.ts");
    await expect(loadDrivers(["pigeon"])).rejects.toThrow(/unknown driver pigeon; expected one of modbus, snmp/);
  });
});
