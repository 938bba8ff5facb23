import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";
import { collectorDatabasePath } from "../collector/cli.ts";
import { loadCollectorSite } from "../collector/site.ts";
import { openDatabase } from "../collector/store/db.ts";
import { CollectorStore } from "../collector/store/store.ts";
import { installRoot } from "../common/install-root.ts";
import { SimulatedSwitch } from "./simulated-switch.ts";
import { SimulatedUps } from "./simulated-ups.ts";

const ROOT = installRoot(import.meta.dirname);
const CONFIG = join(ROOT, "config/site.example.yaml");
const CONTROL_PORT = Number(process.env.WATCHFLOOR_DEMO_CONTROL_PORT ?? 8503);

function start(name: string, bin: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, "bin", bin), "--config", CONFIG], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`demo: ${name} exited (${signal ?? code}); stopping the demo`);
    void stop(1);
  });
  return child;
}

let stopping = false;
const children: ChildProcess[] = [];
const ups = new SimulatedUps();
const floorSwitch = new SimulatedSwitch({ community: "public", trapTo: { host: "127.0.0.1", port: 9162 } });

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await ups.close();
  floorSwitch.close();
  setTimeout(() => process.exit(code), 1500).unref();
}

/**
 * `npm start`: a simulated UPS on Modbus TCP, the collector and the agent on loopback, all from
 * config/site.example.yaml, plus a small control endpoint to cut and restore the UPS's mains.
 */
export async function main(): Promise<number> {
  // The agent token is made fresh for each run and handed to both processes through the environment.
  const env = {
    ...process.env,
    WATCHFLOOR_AGENT_TOKEN: process.env.WATCHFLOOR_AGENT_TOKEN ?? randomBytes(24).toString("base64url"),
  };
  process.env.WATCHFLOOR_AGENT_TOKEN = env.WATCHFLOOR_AGENT_TOKEN;
  await ups.listen("127.0.0.1", 5020);
  floorSwitch.listen("127.0.0.1", 1161);

  const { site } = loadCollectorSite(CONFIG);
  const store = new CollectorStore(openDatabase(collectorDatabasePath(site!.config.collector.dataDir)));
  const adminToken = store.addUser("demo-admin", "admin", Date.now());
  store.db.close();

  children.push(start("collector", "watchfloor-collector.mjs", env));
  await new Promise((r) => setTimeout(r, 1500));
  children.push(start("agent", "watchfloor-agent.mjs", env));

  createServer((req, res) => {
    const m = /^\/ups\/mains\/(on|off)$/.exec(req.url ?? "");
    const port = /^\/switch\/ports\/(\d+)\/(up|down)$/.exec(req.url ?? "");
    if (req.method === "POST" && port) {
      const changed = floorSwitch.setPort(Number(port[1]), port[2] === "up");
      const body = changed
        ? { port: changed.index, name: changed.name, up: changed.up }
        : { error: "no such port" };
      res
        .writeHead(changed ? 200 : 404, { "content-type": "application/json" })
        .end(`${JSON.stringify(body)}\n`);
      return;
    }
    if (req.method === "POST" && m) ups.setMains(m[1] === "on");
    else if (req.method === "POST" && req.url?.startsWith("/ups/load/"))
      ups.setLoad(Number(req.url.slice("/ups/load/".length)) || 0);
    else if (!(req.method === "GET" && req.url === "/ups")) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(
          '{"error":"try POST /ups/mains/off, /ups/mains/on, /ups/load/95, /switch/ports/2/down, /switch/ports/2/up, GET /ups"}\n',
        );
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify(ups.state)}\n`);
  }).listen(CONTROL_PORT, "127.0.0.1");

  console.log(`
Watchfloor demo is running (Ctrl-C stops it).
  simulated UPS (Modbus TCP)  127.0.0.1:5020
  simulated switch (SNMP v2c) 127.0.0.1:1161, community public; traps to the agent on 127.0.0.1:9162
  collector                   http://127.0.0.1:8480   (/metrics, /healthz, /api/v1/...)
  agent                       http://127.0.0.1:9464   (/metrics, /healthz)

  API token for user demo-admin (admin):
    export WF_TOKEN=${adminToken}
  Web UI (值班看板): http://127.0.0.1:8480/ui — log in with that token.

  Cut the UPS's mains, then watch the fault open (within one poll, 2 s):
    curl -X POST http://127.0.0.1:${CONTROL_PORT}/ups/mains/off
    curl -H "Authorization: Bearer $WF_TOKEN" http://127.0.0.1:8480/api/v1/faults
    curl -s http://127.0.0.1:9464/metrics | grep ups_on_battery
  Restore mains and the fault resolves:
    curl -X POST http://127.0.0.1:${CONTROL_PORT}/ups/mains/on
  Take a switch port down (the switch sends linkDown: if.down opens at once), and up again:
    curl -X POST http://127.0.0.1:${CONTROL_PORT}/switch/ports/2/down
    curl -X POST http://127.0.0.1:${CONTROL_PORT}/switch/ports/2/up
`);
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // Whatever ends the launcher, the collector and agent it started must not outlive it.
  process.once("exit", () => {
    for (const c of children) c.kill("SIGTERM");
  });
  process.once("uncaughtException", (err) => {
    console.error("demo: unexpected error, stopping:", err);
    void stop(1);
  });
  return new Promise<number>(() => {});
}
