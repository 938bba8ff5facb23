/**
 * Rows a device names alike (found in review): a real agent polling snmpsim must still see the failed one.
 * Peers: snmpsim and a real watchfloor-agent process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { node, ROOT, tempDir } from "../harness/process.ts";
import { snmpsimMissing, startSnmpsim } from "../peers/snmpsim.ts";

const skip = skipWithout(snmpsimMissing(join(ROOT, "test/snmp/recordings")), "rows named alike");

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe.skipIf(skip)("rows a device names alike stay apart", () => {
  it("a Cisco switch whose two fans share a description: the critical one still raises device.fan_fault", async () => {
    // The project's own cisco-c2960x recording, fan 1004 critical(3), fan 1005 normal(1), both described
    // "Switch#1, Fan#1" (CISCO-ENVMON-MIB ciscoEnvMonFanStatusDescr is free text, not an identity).
    const dir = tempDir("wf-review-dupfan-");
    const rec = readFileSync(join(ROOT, "test/snmp/recordings/cisco-c2960x.snmprec"), "utf8")
      .replace("9.9.13.1.4.1.2.1005|4|Switch#1, Fan#2", "9.9.13.1.4.1.2.1005|4|Switch#1, Fan#1")
      .replace("9.9.13.1.4.1.3.1004|2|1", "9.9.13.1.4.1.3.1004|2|3")
      .replace("9.9.13.1.4.1.3.1005|2|5", "9.9.13.1.4.1.3.1005|2|1");
    writeFileSync(join(dir, "dupfan.snmprec"), rec);
    const sim = await startSnmpsim({ source: dir });
    closers.push(() => sim.stop());
    const config = join(dir, "site.yaml");
    writeFileSync(
      config,
      `site: { name: dup fans }
agent:
  id: dup
  dataDir: ${join(dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  collector: { url: "http://127.0.0.1:9/", token: unused }
devices:
  - { id: sw, name: sw, class: network, driver: snmp, address: "127.0.0.1:${sim.port}", profile: cisco-ios, interval: 1s, timeout: 5s, options: { community: dupfan } }
`,
    );
    const agent = node("watchfloor-agent.mjs", ["--config", config, "--listen", "127.0.0.1:0"]);
    closers.push(() => agent.stop());
    // fireAfter: 2 polls at 1 s; with distinct descriptions it fires within ~3 s.
    // The failed fan fires, told apart from its namesake by its row index.
    await agent.waitFor(/"condition":"device.fan_fault"[^\n]*"Switch#1, Fan#1 \[1004\]"[^\n]*"state":"firing"|"condition":"device.fan_fault"[^\n]*"state":"firing"[^\n]*"Switch#1, Fan#1 \[1004\]"/, 12_000);
  }, 30_000);
});
