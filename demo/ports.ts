import { createServer } from "node:net";
import { checkUdpBindable, listenError } from "../common/listen.ts";

/** The demo's ports, each movable by an environment variable. */
export const DEMO_PORTS = [
  {
    key: "collector",
    env: "WATCHFLOOR_DEMO_COLLECTOR_PORT",
    port: 8480,
    proto: "tcp",
    what: "the collector (API, web UI, /metrics)",
  },
  { key: "agent", env: "WATCHFLOOR_DEMO_AGENT_PORT", port: 9464, proto: "tcp", what: "the agent's /metrics" },
  {
    key: "ups",
    env: "WATCHFLOOR_DEMO_UPS_PORT",
    port: 5020,
    proto: "tcp",
    what: "the simulated UPS (Modbus TCP)",
  },
  {
    key: "switch",
    env: "WATCHFLOOR_DEMO_SWITCH_PORT",
    port: 1161,
    proto: "udp",
    what: "the simulated switch (SNMP)",
  },
  {
    key: "traps",
    env: "WATCHFLOOR_DEMO_TRAP_PORT",
    port: 9162,
    proto: "udp",
    what: "the agent's SNMP trap receiver",
  },
  {
    key: "wallTile1",
    env: "WATCHFLOOR_DEMO_WALL_TILE1_PORT",
    port: 14352,
    proto: "tcp",
    what: "the simulated display wall, tile 1-1 (PJLink)",
  },
  {
    key: "wallTile2",
    env: "WATCHFLOOR_DEMO_WALL_TILE2_PORT",
    port: 14353,
    proto: "tcp",
    what: "the simulated display wall, tile 1-2 (PJLink)",
  },
  {
    key: "trunk",
    env: "WATCHFLOOR_DEMO_TRUNK_PORT",
    port: 15060,
    proto: "udp",
    what: "the simulated SIP trunk",
  },
  {
    key: "control",
    env: "WATCHFLOOR_DEMO_CONTROL_PORT",
    port: 8503,
    proto: "tcp",
    what: "the demo's control endpoint and paging sink",
  },
] as const;

export type DemoPorts = Record<(typeof DEMO_PORTS)[number]["key"], number>;

/** The ports from the environment (defaults otherwise); a message when a value is not a port. */
export function demoPorts(env: NodeJS.ProcessEnv): { ports: DemoPorts } | { error: string } {
  const ports = {} as DemoPorts;
  for (const p of DEMO_PORTS) {
    const raw = env[p.env];
    const port = raw === undefined || raw === "" ? p.port : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return { error: `${p.env}=${raw}: expected a port number (1-65535) for ${p.what}` };
    ports[p.key] = port;
  }
  const taken = new Map<string, string>();
  for (const p of DEMO_PORTS) {
    const slot = `${ports[p.key]}/${p.proto}`;
    if (taken.has(slot)) return { error: `${p.env} and ${taken.get(slot)} both name port ${slot}` };
    taken.set(slot, p.env);
  }
  return { ports };
}

function checkTcpBindable(what: string, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err) => reject(listenError(what, `${host}:${port}`, err)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Every demo port must be free before anything starts: a busy one is a one-line message naming the
 * variable that moves it, not a stack trace after half the demo came up.
 */
export async function busyPort(ports: DemoPorts): Promise<string | undefined> {
  for (const p of DEMO_PORTS) {
    const what = `${p.what} (${p.env})`;
    try {
      if (p.proto === "udp") await checkUdpBindable(what, "127.0.0.1", ports[p.key]);
      else await checkTcpBindable(what, "127.0.0.1", ports[p.key]);
    } catch (err) {
      return `${(err as Error).message}; set ${p.env} to a free port`;
    }
  }
  return undefined;
}
