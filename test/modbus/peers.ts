import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { OnceLine } from "../harness/once-line.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
const DEVICE_SCRIPT = join(ROOT, "test/peers/modbus_device.py");

/** A unit's registers as the python peer takes them: {holding: {"0": 2300}, ...}. */
export interface UnitMap {
  holding?: Record<string, number>;
  input?: Record<string, number>;
  coil?: Record<string, number>;
  discrete?: Record<string, number>;
  maxRead?: number;
}

export interface Peer {
  /** TCP port, or the pty path the server holds. */
  where: string;
  send(command: string): Promise<string>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

function track(child: ChildProcess): () => Promise<void> {
  children.add(child);
  return () =>
    new Promise<void>((done) => {
      children.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    });
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `wf-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts Debian's pymodbus as a device: TCP on a free port, or RTU on one end of a pty pair. */
export async function startDevice(config: {
  transport: "tcp" | "rtu";
  device?: string;
  dropEvery?: number;
  framer?: "socket" | "rtu";
  units: Record<string, UnitMap>;
}): Promise<Peer> {
  const { dir, remove } = tempDir("mbdev");
  const file = join(dir, "device.json");
  writeFileSync(file, JSON.stringify({ port: 0, ...config }));
  const child = spawn("/usr/bin/python3", [DEVICE_SCRIPT, file], { stdio: ["pipe", "pipe", "pipe"] });
  const stop = track(child);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const first = new Promise<string>((ok, fail) => {
    waiting.push(ok);
    child.once("exit", (code) => fail(new Error(`modbus_device.py exited ${code}: ${stderr}`)));
    setTimeout(() => fail(new Error(`modbus_device.py did not start: ${stderr}`)), 15_000).unref();
  });
  lines.on("line", (line) => waiting.shift()?.(line));
  const ready = await first;
  return {
    where: ready.replace(/^listening /, ""),
    send: (command) =>
      new Promise<string>((ok) => {
        waiting.push(ok);
        child.stdin!.write(`${command}\n`);
      }),
    stop: async () => {
      await stop();
      remove();
    },
  };
}

/** A socat pty pair: the device server opens `server`, the agent opens `client`. */
export async function startPtyPair(): Promise<{ server: string; client: string; stop: () => Promise<void> }> {
  const { dir, remove } = tempDir("pty");
  const server = join(dir, "server");
  const client = join(dir, "client");
  const child = spawn("socat", [`pty,raw,echo=0,link=${server}`, `pty,raw,echo=0,link=${client}`], {
    stdio: "ignore",
  });
  const stop = track(child);
  for (let i = 0; i < 100 && !(existsSync(server) && existsSync(client)); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(client)) throw new Error("socat did not create the pty pair");
  return {
    server,
    client,
    stop: async () => {
      await stop();
      remove();
    },
  };
}

export type { OnceLine } from "../harness/once-line.ts";

/** Writes a site config (and a profiles folder holding copies of the given profiles) to a temp dir. */
export function writeSite(
  profiles: string[],
  devices: Record<string, unknown>[],
): { config: string; remove: () => void } {
  const { dir, remove } = tempDir("site");
  mkdirSync(join(dir, "profiles"));
  for (const p of profiles) copyFileSync(p, join(dir, "profiles", basename(p)));
  const config = join(dir, "site.yaml");
  writeFileSync(config, JSON.stringify({ site: { name: "modbus test" }, devices }));
  return { config, remove };
}

/** Runs `watchfloor-agent --config FILE --once` on a written site and parses its JSON lines. */
export async function runOnce(
  profiles: string[],
  devices: Record<string, unknown>[],
): Promise<{ lines: OnceLine[]; stderr: string; code: number | null }> {
  const { config, remove } = writeSite(profiles, devices);
  try {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/watchfloor-agent.mjs"), "--config", config, "--once"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const stop = track(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    await stop();
    const lines = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as OnceLine);
    return { lines, stderr, code };
  } finally {
    remove();
  }
}

/** Runs mbpoll once (0-based addresses) and returns the register values it printed. */
export async function mbpoll(args: string[]): Promise<number[]> {
  const child = spawn("mbpoll", [...args, "-0", "-1"], { stdio: ["ignore", "pipe", "pipe"] });
  const stop = track(child);
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  await stop();
  if (code !== 0) throw new Error(`mbpoll ${args.join(" ")} exited ${code}: ${out}`);
  // Lines look like "[128]: \t47104 (-18432)": the unsigned value comes first.
  return [...out.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => Number(m[2]));
}

export const profilePath = (id: string) => join(ROOT, "config/profiles", `${id}.yaml`);
export const testProfilePath = (id: string) => join(ROOT, "test/modbus/cases", `${id}.yaml`);

/** "name{k=v,...}" for readings and conditions, label keys sorted: what the expectations are keyed by. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
  return inner ? `${name}{${inner}}` : name;
}
