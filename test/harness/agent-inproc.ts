import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "../../agent/agent.ts";
import type { PollResult } from "../../agent/poll.ts";
import { loadSite } from "../../agent/site.ts";
import { systemClock } from "../../common/clock.ts";
import { ROOT, tempDir } from "./process.ts";

/** An agent in this process over the shipped profiles, for tests that poll on demand (pollNow) and read condition states. */
export async function agentWith(devices: string[]): Promise<Agent> {
  const file = join(tempDir("wf-agent-"), "site.yaml");
  writeFileSync(
    file,
    `site: { name: test }
agent: { id: test-agent, profilesDir: ${join(ROOT, "config/profiles")}, collector: { url: "http://127.0.0.1:9/", token: unused } }
devices:
${devices.join("\n")}
`,
  );
  const { site, errors } = loadSite(file);
  if (!site) throw new Error(JSON.stringify(errors));
  return Agent.create({ agentId: "test-agent", devices: site.devices, clock: systemClock, logger: pino({ level: "silent" }) });
}

/** The value of the reading `name` with `labels` in a poll's result. */
export function readingIn(r: PollResult | undefined, name: string, labels: Record<string, string> = {}): number | undefined {
  return r?.readings.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
}

/** The state of a condition instance of a device. */
export function conditionState(agent: Agent, device: string, condition: string, labels: Record<string, string> = {}) {
  return agent
    .conditionsOf(device)
    .find((c) => c.name === condition && Object.keys(labels).length === Object.keys(c.labels).length && Object.entries(labels).every(([k, v]) => c.labels[k] === v))
    ?.state;
}
