/**
 * `npm start` as a new user meets it: the whole loop (UPS loses mains → fault → page to the on-call
 * person's robot → acknowledge link → fault acknowledged in that person's name), every port moved by
 * environment, a busy port refused in one line, and the CLI working on the demo's config as it is.
 * Each run has its own working directory (the demo keeps its state in ./var) and free ports.
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "../harness/ports.ts";
import { Proc, ROOT, tempDir, until } from "../harness/process.ts";

const EXAMPLE = join(ROOT, "config/site.example.yaml");

function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  return new Promise((r) =>
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => r(port));
    }),
  );
}

/** Every demo port on a free one, so the test never meets a developer's running demo. */
async function demoEnv(): Promise<Record<string, string>> {
  // Distinct TCP ports (allocated together: separate calls can be handed the same released port).
  const [collector, agent, ups, control, tile1, tile2] = await freePorts(6);
  return {
    WATCHFLOOR_DEMO_COLLECTOR_PORT: String(collector),
    WATCHFLOOR_DEMO_AGENT_PORT: String(agent),
    WATCHFLOOR_DEMO_UPS_PORT: String(ups),
    WATCHFLOOR_DEMO_CONTROL_PORT: String(control),
    WATCHFLOOR_DEMO_SWITCH_PORT: String(await freeUdpPort()),
    WATCHFLOOR_DEMO_TRAP_PORT: String(await freeUdpPort()),
    WATCHFLOOR_DEMO_WALL_TILE1_PORT: String(tile1),
    WATCHFLOOR_DEMO_WALL_TILE2_PORT: String(tile2),
    WATCHFLOOR_DEMO_TRUNK_PORT: String(await freeUdpPort()),
  };
}

const demo = (env: Record<string, string>, cwd: string) =>
  new Proc(process.execPath, [join(ROOT, "bin/watchfloor-demo.mjs")], { env, cwd });

function ending(p: Proc): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  p.child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((r) => p.child.once("exit", (code) => r({ code, stderr })));
}

describe("the demo with a busy port", () => {
  const held: Server[] = [];
  afterAll(() => {
    for (const s of held) s.close();
  });

  it("exits 1 with one line naming the port and the variable that moves it, before starting anything", async () => {
    const server = createServer();
    held.push(server);
    const port = await new Promise<number>((r) =>
      server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)),
    );
    const p = demo(
      { ...(await demoEnv()), WATCHFLOOR_DEMO_COLLECTOR_PORT: String(port) },
      tempDir("wf-demo-"),
    );
    expect(await ending(p)).toEqual({
      code: 1,
      stderr: `demo: cannot listen on 127.0.0.1:${port} for the collector (API, web UI, /metrics) (WATCHFLOOR_DEMO_COLLECTOR_PORT): the port is already in use by another process; set WATCHFLOOR_DEMO_COLLECTOR_PORT to a free port\n`,
    });
    expect(p.output).not.toContain("demo is running");
    expect(p.output).not.toContain("listening on");
  });

  it("a port that is not a number is refused in one line too", async () => {
    const p = demo({ ...(await demoEnv()), WATCHFLOOR_DEMO_TRAP_PORT: "nine" }, tempDir("wf-demo-"));
    expect(await ending(p)).toEqual({
      code: 1,
      stderr:
        "demo: WATCHFLOOR_DEMO_TRAP_PORT=nine: expected a port number (1-65535) for the agent's SNMP trap receiver\n",
    });
  });
});

describe("the demo's whole loop: mains lost → fault → page → acknowledge link → acknowledged", () => {
  let p: Proc;
  afterAll(async () => {
    await p?.stop();
  });

  it("pages the on-call person through the robot stand-in, and the link in the page acknowledges", async () => {
    const env = await demoEnv();
    p = demo(env, tempDir("wf-demo-"));
    const token = (await p.waitFor(/export WF_TOKEN=(\S+)/, 120_000))[1]!;
    const control = `http://127.0.0.1:${env.WATCHFLOOR_DEMO_CONTROL_PORT}`;
    const collector = `http://127.0.0.1:${env.WATCHFLOOR_DEMO_COLLECTOR_PORT}`;
    expect(p.output).toContain(`${control}/pages`);

    expect((await fetch(`${control}/ups/mains/off`, { method: "POST" })).status).toBe(200);
    const page = await until(
      "a page at the WeCom stand-in",
      async () => {
        const pages = (await (await fetch(`${control}/pages.json`)).json()) as Array<{
          robot: string;
          text: string;
          to: string[];
        }>;
        return pages.find((x) => x.robot === "wecom" && x.text.includes("ups.on_battery"));
      },
      30_000,
      250,
    );
    // 张伟 is on call in the demo's roster, this month whatever month it is; WeCom @s his mobile.
    expect(page.to).toEqual(["13800000001"]);
    expect(page.text).toContain("[严重]");
    const link = new RegExp(`${collector}/ack/\\S+`).exec(page.text)![0];
    const html = await (await fetch(`${control}/pages`)).text();
    expect(html).toContain(`<a href="${link}">`);

    const confirm = await fetch(link);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('<form method="post">');
    const acked = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(acked.status).toBe(200);
    expect(await acked.text()).toContain("已确认");

    const faults = (await (
      await fetch(`${collector}/api/v1/faults`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { faults: Array<{ condition: string; status: string; acknowledged_by: string | null }> };
    expect(faults.faults.find((f) => f.condition === "ups.on_battery")).toMatchObject({
      status: "acknowledged",
      acknowledged_by: "zhangwei",
    });

    // The rest of the floor: the simulated wall and trunk are polled; a silent trunk is a 重大 trunk.down.
    const agentMetrics = `http://127.0.0.1:${env.WATCHFLOOR_DEMO_AGENT_PORT}/metrics`;
    await until(
      "the wall and the trunk on the agent's /metrics",
      async () => {
        const t = await (await fetch(agentMetrics)).text();
        return t.includes('watchfloor_display_power_on{device="wall-1",tile="1-2"} 1') &&
          t.includes('watchfloor_sip_options_status_code{device="trunk-ct"} 200')
          ? t
          : undefined;
      },
      30_000,
      250,
    );
    expect((await fetch(`${control}/trunk/silent`, { method: "POST" })).status).toBe(200);
    const down = await until(
      "trunk.down at the collector",
      async () =>
        (
          (await (
            await fetch(`${collector}/api/v1/faults`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { faults: Array<{ device: string; condition: string; class: string }> }
        ).faults.find((f) => f.device === "trunk-ct" && f.condition === "trunk.down"),
      40_000,
      500,
    );
    expect(down.class).toBe("major");

    // The switch: after a few polls (the later ones walk with the row counts of the first, and the
    // simulated switch answers fewer varbinds than asked) its ports still carry their descriptions, so
    // port 2 ("seats 01-24", monitored by alias) opens if.down when it goes down, as the README says.
    await until(
      "three polls of the switch, its port descriptions on the agent's /metrics",
      async () => {
        const t = await (await fetch(agentMetrics)).text();
        const polls = Number(/^watchfloor_polls_completed_total\{device="sw-floor-1"[^}]*\} (\d+)/m.exec(t)?.[1] ?? 0);
        return polls >= 3 && t.includes('watchfloor_if_oper_up{device="sw-floor-1",ifname="GigabitEthernet0/0/2",ifalias="seats 01-24",ifindex="2"} 1')
          ? t
          : undefined;
      },
      40_000,
      500,
    );
    expect((await fetch(`${control}/switch/ports/2/down`, { method: "POST" })).status).toBe(200);
    const port = await until(
      "if.down for the seats port at the collector",
      async () =>
        (
          (await (
            await fetch(`${collector}/api/v1/faults`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { faults: Array<{ device: string; condition: string; labels: Record<string, string> }> }
        ).faults.find((f) => f.device === "sw-floor-1" && f.condition === "if.down"),
      30_000,
      500,
    );
    expect(port.labels).toEqual({ ifname: "GigabitEthernet0/0/2" });
  }, 180_000);
});

describe("the CLI on the demo's config as shipped, with no secret in the environment", () => {
  const cwd = tempDir("wf-demo-cli-");
  const env = { ...process.env };
  delete env.WATCHFLOOR_AGENT_TOKEN;
  delete env.WF_ACK_SECRET;
  const watchfloor = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "bin/watchfloor.mjs"), ...args], { cwd, env, encoding: "utf8" });

  it("check-config passes and warns about each unset ${env:…} secret, with its line", () => {
    const r = watchfloor("check-config", EXAMPLE);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^.*site\.example\.yaml: ok \(/);
    expect(r.stderr).toMatch(
      /site\.example\.yaml:\d+:\d+: warning: environment variable WATCHFLOOR_AGENT_TOKEN is not set in this shell/,
    );
    expect(r.stderr).toMatch(
      /notifications\.demo\.yaml:\d+:\d+: warning: environment variable WF_ACK_SECRET is not set in this shell/,
    );
  });

  it("user add and audit verify work (they read only the store's location)", () => {
    const add = watchfloor("user", "add", "alice", "--role", "engineer", "--config", EXAMPLE);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^wf_\S+\n$/);
    const verify = watchfloor("audit", "verify", "--config", EXAMPLE);
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok: 0 audit entries/);
  }, 90_000);

  it("the agent itself still refuses to start without its token", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/watchfloor-agent.mjs"), "--config", EXAMPLE], {
      cwd,
      env,
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("environment variable WATCHFLOOR_AGENT_TOKEN is not set");
  });
});
