import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { node, Proc, ROOT, tempDir } from "./process.ts";

export interface FloorOptions {
  devices: string;
  /** More keys for the agent section, as YAML lines indented by two spaces (e.g. traps). */
  agentExtra?: string;
  interval?: string;
  heartbeat?: string;
  policy?: string;
}

/**
 * A collector and an agent as real processes on ephemeral loopback ports, sharing one site config in
 * a temp dir. The agent token comes through the environment, as in production.
 */
export class Floor {
  readonly dir = tempDir("wf-floor-");
  readonly config = join(this.dir, "site.yaml");
  readonly env = {
    WATCHFLOOR_AGENT_TOKEN: `test-token-${Math.random().toString(36).slice(2)}`,
    WATCHFLOOR_LOG_LEVEL: "info",
  };
  collector?: Proc;
  agent?: Proc;
  collectorUrl = "";
  agentUrl = "";
  adminToken = "";
  /** More collectors the agent may fail over to (agent.collector.urls after this floor's own collector). */
  extraCollectorUrls: string[] = [];
  private collectorPort = 0;
  /** Where the agent sends events instead of collectorUrl (a proxy in front of it); see agentVia. */
  private via = "";

  constructor(private opts: FloorOptions) {
    this.write();
  }

  private write(): void {
    writeFileSync(
      this.config,
      `site: { name: test floor, timezone: Asia/Shanghai }
zones: [{ id: server-room, name: 机房 }]
agent:
  id: agent-test
  dataDir: ${join(this.dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  heartbeat: ${this.opts.heartbeat ?? "1s"}
  jitter: 0
  collector: { ${this.collectorUrlsYaml()}, token: "\${env:WATCHFLOOR_AGENT_TOKEN}" }
${this.opts.agentExtra ?? ""}
collector:
  dataDir: ${join(this.dir, "collector")}
  agents: [{ id: agent-test, token: "\${env:WATCHFLOOR_AGENT_TOKEN}" }]
${this.opts.policy ? `  policy: ${this.opts.policy}\n` : ""}devices:
${this.opts.devices}
`,
    );
  }

  /**
   * One collector as `url` (what every release understands: the upgrade test runs a previous release's
   * collector on this config), several as `urls`.
   */
  private collectorUrlsYaml(): string {
    const own = this.via || this.collectorUrl || "http://127.0.0.1:9";
    if (this.extraCollectorUrls.length === 0) return `url: ${JSON.stringify(own)}`;
    return `urls: ${JSON.stringify([own, ...this.extraCollectorUrls])}`;
  }

  /** Starts the collector (again, on the same port); `root` runs another installation's bins (a previous release). */
  async startCollector(root = ROOT): Promise<void> {
    const node = (bin: string, args: string[], opts: { env: NodeJS.ProcessEnv }) =>
      new Proc(process.execPath, [join(root, "bin", bin), ...args], opts);
    this.collector = node(
      "watchfloor-collector.mjs",
      ["--config", this.config, "--listen", `127.0.0.1:${this.collectorPort}`],
      { env: this.env },
    );
    // A loaded 2-core machine can take tens of seconds to start a process.
    const m = await this.collector.waitFor(/listening on (http:\/\/[\d.]+:(\d+))/, 60_000);
    this.collectorUrl = m[1]!;
    this.collectorPort = Number(m[2]);
    this.write();
    if (!this.adminToken) {
      const add = node(
        "watchfloor.mjs",
        ["user", "add", "test-admin", "--role", "admin", "--config", this.config],
        { env: this.env },
      );
      await add.waitFor(/^(wf_\S+)$/m, 60_000).then((mm) => (this.adminToken = mm[1]!));
      await add.stop();
    }
  }

  /** The agent sends its events to `url` (a proxy in front of this floor's collector); before startAgent. */
  agentVia(url: string): void {
    this.via = url;
    this.write();
  }

  async startAgent(): Promise<void> {
    this.agent = node("watchfloor-agent.mjs", ["--config", this.config, "--listen", "127.0.0.1:0"], {
      env: this.env,
    });
    const m = await this.agent.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 60_000);
    this.agentUrl = m[1]!;
  }

  async api<T = unknown>(
    path: string,
    init: RequestInit = {},
    token = this.adminToken,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(this.collectorUrl + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async stop(): Promise<void> {
    await Promise.all([this.agent?.stop(), this.collector?.stop()]);
  }
}

/** Event ids the agent logged as produced ("condition changed" lines carry the id). */
export function producedEventIds(agentOutput: string): string[] {
  return agentOutput
    .split("\n")
    .filter((l) => l.includes('"condition changed"'))
    .map((l) => (JSON.parse(l) as { event: string }).event);
}
