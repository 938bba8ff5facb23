import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { storeFileFromConfig } from "../cli/collector-store.ts";
import { openDatabase } from "../collector/store/db.ts";
import { CollectorStore } from "../collector/store/store.ts";
import { installRoot } from "../common/install-root.ts";
import { PagingSink } from "./paging-sink.ts";
import { busyPort, type DemoPorts, demoPorts } from "./ports.ts";
import { SimulatedSwitch } from "./simulated-switch.ts";
import { SimulatedUps } from "./simulated-ups.ts";
import { writeDemoSite } from "./site-files.ts";

const ROOT = installRoot(import.meta.dirname);
const EXAMPLE = join(ROOT, "config/site.example.yaml");

let stopping = false;
const children: ChildProcess[] = [];
let ups: SimulatedUps | undefined;
let floorSwitch: SimulatedSwitch | undefined;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await ups?.close();
  floorSwitch?.close();
  setTimeout(() => process.exit(code), 1500).unref();
}

/** Starts a bin on the demo's config; resolves with its address once it says it is listening. */
function start(name: string, bin: string, config: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, "bin", bin), "--config", config], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((ready, failed) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      seen += chunk.toString();
      const m = /listening on (\S+)/.exec(seen);
      if (m) ready(m[1]!);
    });
    child.on("exit", (code, signal) => {
      failed(new Error(`${name} exited (${signal ?? code})`));
      if (!stopping) console.error(`demo: ${name} exited (${signal ?? code}); stopping the demo`);
      void stop(1);
    });
  });
}

function control(sink: PagingSink, req: IncomingMessage, res: ServerResponse): void {
  if (sink.handle(req, res)) return;
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
  const url = req.url ?? "";
  const port = /^\/switch\/ports\/(\d+)\/(up|down)$/.exec(url);
  const mains = /^\/ups\/mains\/(on|off)$/.exec(url);
  const load = /^\/ups\/load\/(\d+)$/.exec(url);
  if (req.method === "POST" && port) {
    const changed = floorSwitch!.setPort(Number(port[1]), port[2] === "up");
    json(
      changed ? 200 : 404,
      changed ? { port: changed.index, name: changed.name, up: changed.up } : { error: "no such port" },
    );
  } else if (req.method === "POST" && mains) {
    ups!.setMains(mains[1] === "on");
    json(200, ups!.state);
  } else if (req.method === "POST" && load) {
    ups!.setLoad(Number(load[1]));
    json(200, ups!.state);
  } else if (req.method === "GET" && url === "/ups") json(200, ups!.state);
  else
    json(404, {
      error:
        "try POST /ups/mains/off, /ups/mains/on, /ups/load/95, /switch/ports/2/down, /switch/ports/2/up, GET /ups, GET /pages",
    });
}

function banner(p: DemoPorts, adminToken: string): string {
  const c = `http://127.0.0.1:${p.collector}`;
  const ctl = `http://127.0.0.1:${p.control}`;
  return `
Watchfloor demo is running (Ctrl-C stops it).
  simulated UPS (Modbus TCP)  127.0.0.1:${p.ups}
  simulated switch (SNMP v2c) 127.0.0.1:${p.switch}, community public; traps to the agent on 127.0.0.1:${p.traps}
  collector                   ${c}   (/metrics, /healthz, /api/v1/...)
  agent                       http://127.0.0.1:${p.agent}   (/metrics, /healthz)
  paging robots (stand-in)    ${ctl}/pages   what 张伟 (on call) and the others receive

  API token for user demo-admin (admin):
    export WF_TOKEN=${adminToken}
  Web UI (值班看板): ${c}/ui — log in with that token.

  Cut the UPS's mains, then watch the fault open (within one poll, 2 s) and the page arrive:
    curl -X POST ${ctl}/ups/mains/off
    curl -H "Authorization: Bearer $WF_TOKEN" ${c}/api/v1/faults
    open ${ctl}/pages and click the acknowledge link (确认) in the page
  Restore mains and the fault resolves:
    curl -X POST ${ctl}/ups/mains/on
  Take a switch port down (the switch sends linkDown: if.down opens at once), and up again:
    curl -X POST ${ctl}/switch/ports/2/down
    curl -X POST ${ctl}/switch/ports/2/up
`;
}

/**
 * `npm start`: a simulated UPS (Modbus TCP) and switch (SNMP, traps), the collector and the agent on
 * loopback, from config/site.example.yaml and the paging file it names, plus a control endpoint that
 * cuts the UPS's mains or a switch port and stands in for the chat robots the pages go to.
 */
export async function main(): Promise<number> {
  const chosen = demoPorts(process.env);
  if ("error" in chosen) {
    console.error(`demo: ${chosen.error}`);
    return 1;
  }
  const ports = chosen.ports;
  const busy = await busyPort(ports);
  if (busy) {
    console.error(`demo: ${busy}`);
    return 1;
  }
  const config = writeDemoSite(EXAMPLE, resolve("var/demo"), ports, new Date());
  // Secrets are made fresh for each run and handed to both processes through the environment.
  const env = {
    ...process.env,
    WATCHFLOOR_AGENT_TOKEN: process.env.WATCHFLOOR_AGENT_TOKEN || randomBytes(24).toString("base64url"),
    WF_ACK_SECRET: process.env.WF_ACK_SECRET || randomBytes(24).toString("base64url"),
  };

  ups = new SimulatedUps();
  floorSwitch = new SimulatedSwitch({
    community: "public",
    trapTo: { host: "127.0.0.1", port: ports.traps },
  });
  await ups.listen("127.0.0.1", ports.ups);
  floorSwitch.listen("127.0.0.1", ports.switch);
  const sink = new PagingSink();
  await new Promise<void>((r) =>
    createServer((req, res) => control(sink, req, res)).listen(ports.control, "127.0.0.1", r),
  );

  const store = new CollectorStore(openDatabase(storeFileFromConfig(config, "demo")!));
  const adminToken = store.addUser("demo-admin", "admin", Date.now());
  store.db.close();

  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // Whatever ends the launcher, the collector and agent it started must not outlive it.
  process.once("exit", () => {
    for (const c of children) c.kill("SIGTERM");
  });
  try {
    await start("collector", "watchfloor-collector.mjs", config, env);
    await start("agent", "watchfloor-agent.mjs", config, env);
  } catch {
    // The child said why on stderr; stop() is under way.
    return new Promise<number>(() => {});
  }
  console.log(banner(ports, adminToken));
  process.once("uncaughtException", (err) => {
    console.error("demo: unexpected error, stopping:", err);
    void stop(1);
  });
  return new Promise<number>(() => {});
}
