import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A site with an agent and a collector and no device, written to DIR/site.yaml (data under DIR), for
 * tests of how the processes start and stop. The agent token comes from WATCHFLOOR_AGENT_TOKEN.
 */
export function bareSite(dir: string, opts: { agentExtra?: string; collectorExtra?: string } = {}): string {
  const file = join(dir, "site.yaml");
  writeFileSync(
    file,
    `site: { name: bare test site }
agent:
  id: a1
  dataDir: ${join(dir, "agent")}
  collector: { url: "http://127.0.0.1:9", token: "\${env:WATCHFLOOR_AGENT_TOKEN}" }
${opts.agentExtra ?? ""}collector:
  dataDir: ${join(dir, "collector")}
  agents: [{ id: a1, token: "\${env:WATCHFLOOR_AGENT_TOKEN}" }]
${opts.collectorExtra ?? ""}`,
  );
  return file;
}
