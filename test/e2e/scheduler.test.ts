import { createServer, type Server } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { node, type Proc, ROOT, tempDir } from "../harness/process.ts";

/**
 * A device that accepts the TCP connection and then never answers: a hung serial gateway. (A plain
 * socket is the real thing here; no protocol peer is involved.)
 */
function silentDevice(): Promise<{ server: Server; port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((sock) => {
    n++;
    sock.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port, connections: () => n })),
  );
}

const counter = (metrics: string, name: string, device: string) =>
  Number(new RegExp(`^${name}\\{device="${device}"[^}]*\\} (\\d+)`, "m").exec(metrics)?.[1] ?? 0);

describe("poll scheduler: one slow device never delays another", () => {
  const ups = new PymodbusUps();
  let silent: Awaited<ReturnType<typeof silentDevice>>;
  let agent: Proc;
  let url = "";

  beforeAll(async () => {
    await ups.start();
    silent = await silentDevice();
    const dir = tempDir();
    const config = join(dir, "site.yaml");
    writeFileSync(
      config,
      `site: { name: sched }
agent:
  id: a1
  dataDir: ${join(dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  jitter: 0
  collector: { url: "http://127.0.0.1:9", token: t }
devices:
  - { id: good, name: good, class: ups, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: 250ms }
  - { id: hung, name: hung, class: ups, driver: modbus, address: "127.0.0.1:${silent.port}", profile: generic-ups-modbus, interval: 250ms, timeout: 2s, options: { timeoutMs: 5000 } }
`,
    );
    agent = node("watchfloor-agent.mjs", ["--config", config, "--listen", "127.0.0.1:0"]);
    url = (await agent.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
  });

  afterAll(async () => {
    await agent?.stop();
    await ups.stop();
    silent?.server.close();
  });

  it("keeps the healthy device on its 250 ms schedule while the hung one times out, never overlapping its polls", async () => {
    await new Promise((r) => setTimeout(r, 3000));
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    // 3 s at 250 ms: about 12 polls; allow for start-up and a loaded CI machine.
    expect(counter(metrics, "watchfloor_polls_total", "good")).toBeGreaterThanOrEqual(8);
    // The hung device is polled at most once per 2 s timeout: never two polls at once.
    expect(counter(metrics, "watchfloor_polls_total", "hung")).toBeLessThanOrEqual(2);
    expect(metrics).toMatch(/watchfloor_device_up\{device="good"\} 1/);
    expect(metrics).toMatch(/watchfloor_poll_errors_total\{device="hung",kind="unreachable"\} [12]/);
    expect(agent.output).toContain("no answer within 2s");
    // The hung device's 250 ms slots found its poll still running (overruns) and its polls time out;
    // the healthy one completes every poll (its first, which connects, may overrun once on a loaded machine).
    expect(counter(metrics, "watchfloor_poll_timeouts_total", "hung")).toBeGreaterThanOrEqual(1);
    expect(counter(metrics, "watchfloor_poll_overruns_total", "hung")).toBeGreaterThanOrEqual(4);
    expect(counter(metrics, "watchfloor_polls_completed_total", "good")).toBeGreaterThanOrEqual(8);
    expect(counter(metrics, "watchfloor_poll_overruns_total", "good")).toBeLessThanOrEqual(1);
    expect(counter(metrics, "watchfloor_poll_timeouts_total", "good")).toBe(0);
    expect(counter(metrics, "watchfloor_poll_duration_seconds_count", "good")).toBeGreaterThanOrEqual(8);
  });
});
