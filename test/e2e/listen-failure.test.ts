import { createSocket, type Socket } from "node:dgram";
import { chmodSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bareSite } from "../harness/bare-site.ts";
import { node, Proc, ROOT, tempDir } from "../harness/process.ts";

// A listener the config names that cannot be opened stops the process at start, with one line that
// says which listener, which address and why, and a non-zero exit; it never runs on without it.

const held: Array<Socket | Server> = [];
afterEach(() => {
  for (const h of held.splice(0)) h.close();
});

function holdUdp(): Promise<number> {
  const s = createSocket("udp4");
  held.push(s);
  return new Promise((r) => s.bind(0, "127.0.0.1", () => r(s.address().port)));
}

function holdTcp(): Promise<number> {
  const s = createServer();
  held.push(s);
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
}

function site(opts: { traps?: string; dir?: string } = {}): string {
  return bareSite(opts.dir ?? tempDir("wf-listen-"), {
    agentExtra: opts.traps ? `  traps: { listen: "${opts.traps}" }\n` : "",
  });
}

const env = { WATCHFLOOR_AGENT_TOKEN: "listen-test-token" };

/** How a process ended: its exit code and what it wrote on stderr (its JSON log goes to stdout). */
function ending(p: Proc): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  p.child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((r) => p.child.once("exit", (code) => r({ code, stderr })));
}

describe("a listener that cannot be opened stops the process", () => {
  it("agent: the trap port taken by another process → exit 1 naming agent.traps.listen", async () => {
    const port = await holdUdp();
    const agent = node(
      "watchfloor-agent.mjs",
      ["--config", site({ traps: `127.0.0.1:${port}` }), "--listen", "127.0.0.1:0"],
      { env },
    );
    expect(await ending(agent)).toEqual({
      code: 1,
      stderr: `watchfloor-agent: cannot listen on 127.0.0.1:${port}/udp for the SNMP trap receiver (agent.traps.listen): the port is already in use by another process\n`,
    });
    expect(agent.output).not.toContain("agent started");
  });

  it("agent: the trap port 162 as an unprivileged user (the shipped unit without the capability) → EACCES explained", async () => {
    const dir = tempDir("wf-listen-");
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, "agent"), { mode: 0o777 });
    chmodSync(join(dir, "agent"), 0o777);
    const args = [
      join(ROOT, "bin/watchfloor-agent.mjs"),
      "--config",
      site({ traps: "127.0.0.1:162", dir }),
      "--listen",
      "127.0.0.1:0",
    ];
    // As root, drop to nobody the way systemd's User= does; any other user is unprivileged already.
    const agent =
      process.getuid?.() === 0
        ? new Proc(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...args],
            { env },
          )
        : new Proc(process.execPath, args, { env });
    expect(await ending(agent)).toEqual({
      code: 1,
      stderr: expect.stringMatching(
        /^watchfloor-agent: cannot listen on 127\.0\.0\.1:162\/udp for the SNMP trap receiver \(agent\.traps\.listen\): permission denied \(ports below 1024 need CAP_NET_BIND_SERVICE.*\)\n$/,
      ),
    });
  });

  it("agent: the /metrics port taken → exit 1 naming agent.listen", async () => {
    const port = await holdTcp();
    const agent = node("watchfloor-agent.mjs", ["--config", site(), "--listen", `127.0.0.1:${port}`], {
      env,
    });
    expect(await ending(agent)).toEqual({
      code: 1,
      stderr: `watchfloor-agent: cannot listen on 127.0.0.1:${port} for /metrics and /healthz (agent.listen): the port is already in use by another process\n`,
    });
    // The JSON log on stdout says it too, at level fatal (60), for journald.
    expect(agent.output).toMatch(/"level":60.*cannot listen on/);
  });

  it("collector: the API port taken → exit 1 naming collector.listen", async () => {
    const port = await holdTcp();
    const collector = node(
      "watchfloor-collector.mjs",
      ["--config", site(), "--listen", `127.0.0.1:${port}`],
      { env },
    );
    expect(await ending(collector)).toEqual({
      code: 1,
      stderr: `watchfloor-collector: cannot listen on 127.0.0.1:${port} for the API, web UI and /metrics (collector.listen): the port is already in use by another process\n`,
    });
  });
});
