import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { storeFileFromConfig } from "../cli/collector-store.ts";
import { StoreDb } from "../collector/store/store-db.ts";
import { CollectorStore } from "../collector/store/store.ts";
import { installRoot } from "../common/install-root.ts";
import { PagingSink } from "./paging-sink.ts";
import { busyPort, type DemoPorts, demoPorts } from "./ports.ts";
import { defaultDisplay, type PjlinkDisplay, startPjlinkDisplay } from "./simulated-pjlink.ts";
import { SimulatedSipTrunk, type TrunkMode } from "./simulated-sip-trunk.ts";
import { SimulatedSwitch } from "./simulated-switch.ts";
import { SimulatedUps } from "./simulated-ups.ts";
import { writeDemoSite } from "./site-files.ts";

const ROOT = installRoot(import.meta.dirname);
const EXAMPLE = join(ROOT, "config/site.example.yaml");

let stopping = false;
const children: ChildProcess[] = [];
let ups: SimulatedUps | undefined;
let floorSwitch: SimulatedSwitch | undefined;
const wall: PjlinkDisplay[] = [];
const trunk = new SimulatedSipTrunk();
/** The demo wall's PJLink password (the site example has the same). */
const WALL_PASSWORD = "demo-pjlink";

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await ups?.close();
  floorSwitch?.close();
  trunk.close();
  await Promise.all(wall.map((t) => t.close()));
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
  const tile = /^\/wall\/tiles\/(\d+)\/(on|off|lamp-error|ok)$/.exec(url);
  const sip = /^\/trunk\/(up|silent|503)$/.exec(url);
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
  } else if (req.method === "POST" && tile) {
    const t = wall[Number(tile[1]) - 1];
    const what = tile[2]!;
    if (t && (what === "on" || what === "off")) t.state.power = what === "on" ? 1 : 0;
    else if (t) t.state.errors = what === "lamp-error" ? "020000" : "000000";
    json(t ? 200 : 404, t ? { tile: tile[1], power: t.state.power, errors: t.state.errors } : { error: "no such tile (1 or 2)" });
  } else if (req.method === "POST" && sip) {
    trunk.mode = sip[1] as TrunkMode;
    json(200, { trunk: trunk.mode });
  } else if (req.method === "GET" && url === "/ups") json(200, ups!.state);
  else
    json(404, {
      error:
        "try POST /ups/mains/off, /ups/mains/on, /ups/load/95, /switch/ports/2/down, /switch/ports/2/up, /wall/tiles/2/off, /wall/tiles/2/lamp-error, /wall/tiles/2/ok, /wall/tiles/2/on, /trunk/silent, /trunk/503, /trunk/up, GET /ups, GET /pages",
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
  The display wall (PJLink, tiles on ${p.wallTile1} and ${p.wallTile2}): a lamp error, a tile switched off:
    curl -X POST ${ctl}/wall/tiles/2/lamp-error      (display.error; /ok clears it)
    curl -X POST ${ctl}/wall/tiles/2/off             (display.power_off after two polls; /on)
  The SIP trunk (udp ${p.trunk}): silent, then refusing, then back:
    curl -X POST ${ctl}/trunk/silent                 (trunk.down, 重大, after three missed answers)
    curl -X POST ${ctl}/trunk/503                    (trunk.error)
    curl -X POST ${ctl}/trunk/up
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
  wall.push(
    await startPjlinkDisplay(defaultDisplay({ cls: 2, password: WALL_PASSWORD, name: "WALL-1-1" }), ports.wallTile1),
    await startPjlinkDisplay(defaultDisplay({ cls: 2, password: WALL_PASSWORD, name: "WALL-1-2" }), ports.wallTile2),
  );
  await trunk.listen("127.0.0.1", ports.trunk);
  const sink = new PagingSink();
  await new Promise<void>((r) =>
    createServer((req, res) => control(sink, req, res)).listen(ports.control, "127.0.0.1", r),
  );

  const store = new CollectorStore(StoreDb.sqlite(storeFileFromConfig(config, "demo")!));
  const adminToken = await store.addUser("demo-admin", "admin", Date.now());
  await store.close();

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
