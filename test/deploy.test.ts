/**
 * deploy/ as shipped: the systemd units pass systemd-analyze, the logrotate file passes logrotate,
 * a real Prometheus started on deploy/prometheus.yml finds the agents listed in its file_sd file and
 * scrapes them, and the capability the agent's unit grants lets an unprivileged agent bind the
 * privileged trap port (setpriv grants it the way systemd's AmbientCapabilities= does).
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bareSite } from "./harness/bare-site.ts";
import { skipWithout } from "./harness/peer-gate.ts";
import { freePort } from "./harness/ports.ts";
import { node, Proc, ROOT, tempDir, until } from "./harness/process.ts";

const running: Proc[] = [];
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
});

const has = (bin: string) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;
const env = { WATCHFLOOR_AGENT_TOKEN: "deploy-test-token" };

describe.skipIf(
  skipWithout(
    has("systemd-analyze") ? undefined : "systemd-analyze is absent (apt-get install systemd)",
    "systemd units",
  ),
)("deploy/systemd", () => {
  it("every unit passes systemd-analyze verify without a warning", () => {
    const dir = tempDir("wf-units-");
    const units = readdirSync(join(ROOT, "deploy/systemd"));
    expect(units).toEqual(
      expect.arrayContaining([
        "watchfloor-agent.service",
        "watchfloor-collector.service",
        "watchfloor-backup.timer",
      ]),
    );
    // The units name /opt/watchfloor; here the checkout stands in for it (ExecStart must exist).
    for (const u of units)
      writeFileSync(
        join(dir, u),
        readFileSync(join(ROOT, "deploy/systemd", u), "utf8").replaceAll("/opt/watchfloor", ROOT),
      );
    const r = spawnSync("systemd-analyze", ["verify", ...units.map((u) => join(dir, u))], {
      encoding: "utf8",
    });
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });

  it("the agent's unit grants CAP_NET_BIND_SERVICE and nothing more", () => {
    const unit = readFileSync(join(ROOT, "deploy/systemd/watchfloor-agent.service"), "utf8");
    expect(unit).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
    expect(unit).toMatch(/^User=watchfloor$/m);
  });
});

const notRoot = skipWithout(
  process.getuid?.() === 0 ? undefined : "granting a capability with setpriv needs root",
  "trap port with the unit's capability",
);

describe.skipIf(notRoot)("the trap port with the unit's capability", () => {
  /** A privileged UDP port free on loopback (162 unless something holds it). */
  async function privilegedUdpPort(): Promise<number> {
    for (const port of [162, 600, 700, 800, 900]) {
      const ok = await new Promise<boolean>((r) => {
        const s = createSocket("udp4");
        s.once("error", () => r(false));
        s.bind(port, "127.0.0.1", () => s.close(() => r(true)));
      });
      if (ok) return port;
    }
    throw new Error("no privileged UDP port free");
  }

  it("an unprivileged agent with CAP_NET_BIND_SERVICE ambient binds a privileged trap port and runs", async () => {
    const dir = tempDir("wf-cap-");
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, "agent"), { mode: 0o777 });
    chmodSync(join(dir, "agent"), 0o777);
    const port = await privilegedUdpPort();
    const site = bareSite(dir, { agentExtra: `  traps: { listen: "127.0.0.1:${port}" }\n` });
    const agent = new Proc(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=+net_bind_service",
        "--ambient-caps=+net_bind_service",
        process.execPath,
        join(ROOT, "bin/watchfloor-agent.mjs"),
        "--config",
        site,
        "--listen",
        "127.0.0.1:0",
      ],
      { env },
    );
    running.push(agent);
    await agent.waitFor(/SNMP trap receiver listening/, 20_000);
    expect(agent.output).not.toContain("cannot listen");
  });
});

describe.skipIf(
  skipWithout(has("logrotate") ? undefined : "logrotate is absent (apt-get install logrotate)", "logrotate"),
)("deploy/logrotate/watchfloor", () => {
  it("passes logrotate's dry run", () => {
    const dir = tempDir("wf-logrotate-");
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "logs/agent.log"), "{}\n");
    const conf = readFileSync(join(ROOT, "deploy/logrotate/watchfloor"), "utf8")
      .replaceAll("/var/log/watchfloor", join(dir, "logs"))
      .replace("su watchfloor watchfloor", "su root root");
    writeFileSync(join(dir, "watchfloor"), conf);
    const r = spawnSync("logrotate", ["-d", "-s", join(dir, "state"), join(dir, "watchfloor")], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain(`considering log ${join(dir, "logs")}/agent.log`);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/error/i);
  });
});

describe("deploy/prometheus.yml scrapes the agents its file_sd file lists", () => {
  it("a real Prometheus on the shipped config finds two agents from watchfloor-agents.yml and scrapes them", async () => {
    const dir = tempDir("wf-prom-deploy-");
    // The shipped files, laid out as in the repository (the config names the rules by relative path).
    mkdirSync(join(dir, "deploy"));
    cpSync(join(ROOT, "deploy/prometheus.yml"), join(dir, "deploy/prometheus.yml"));
    cpSync(join(ROOT, "dashboards/prometheus"), join(dir, "dashboards/prometheus"), { recursive: true });
    const agents: string[] = [];
    for (const id of ["one", "two"]) {
      const agent = node(
        "watchfloor-agent.mjs",
        ["--config", bareSite(tempDir(`wf-agent-${id}-`)), "--listen", "127.0.0.1:0"],
        { env },
      );
      running.push(agent);
      agents.push(new URL((await agent.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!).host);
    }
    const shipped = readFileSync(join(ROOT, "deploy/watchfloor-agents.yml"), "utf8");
    expect(shipped).toMatch(/^- targets: \["[\d.]+:9464"\]/m);
    // The example's format, with the test's agents in place of the example addresses.
    writeFileSync(
      join(dir, "deploy/watchfloor-agents.yml"),
      agents.map((a, i) => `- targets: ["${a}"]\n  labels: { site: test, agent: agent-${i} }\n`).join(""),
    );
    const port = await freePort();
    const prometheus = new Proc("prometheus", [
      `--config.file=${join(dir, "deploy/prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    running.push(prometheus);
    const up = await until(
      "both agents scraped",
      async () => {
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('up{job="watchfloor-agent"} == 1')}`,
        );
        const body = (await res.json()) as { data: { result: Array<{ metric: { instance: string } }> } };
        return body.data.result.length === 2 ? body.data.result : undefined;
      },
      60_000,
      500,
    );
    expect(up.map((r) => r.metric.instance).sort()).toEqual([...agents].sort());
    expect(existsSync(join(dir, "data"))).toBe(true);
  }, 150_000);
});

describe("the agent's bin, executed as the unit's ExecStart does", () => {
  it("runs node with the V8 memory flags of its #! line (README, Agent footprint)", async () => {
    const agent = new Proc(join(ROOT, "bin/watchfloor-agent.mjs"), ["--config", bareSite(tempDir("wf-agent-flags-")), "--listen", "127.0.0.1:0"], {
      // `env node` on the #! line finds the node running this test first.
      env: { ...env, PATH: `${join(process.execPath, "..")}:${process.env.PATH}` },
    });
    running.push(agent);
    await agent.waitFor(/listening on http/);
    // What the kernel started: node, the flags, the bin — read back from /proc, not from the agent.
    const argv = readFileSync(`/proc/${agent.child.pid}/cmdline`, "utf8").split("\0");
    expect(argv.slice(1, 3)).toEqual(["--optimize-for-size", "--no-opt"]);
    expect(argv[3]).toBe(join(ROOT, "bin/watchfloor-agent.mjs"));
  });
});
