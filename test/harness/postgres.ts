/**
 * A real PostgreSQL for tests (Debian's `postgresql`, installed by .ci/run). With
 * WATCHFLOOR_TEST_PG_URL set (.ci/run starts one cluster on loopback and sets it), that server is used;
 * otherwise each test file starts a throw-away cluster on a free loopback port (the RECIPES.md
 * commands: initdb and pg_ctl from /usr/lib/postgresql/VERSION/bin, run as the postgres user when the
 * tests run as root). Either way every caller of createDatabase() gets a database of its own, dropped
 * (or the cluster removed) by stop().
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./ports.ts";
import { tempDir } from "./process.ts";

const ENV_URL = "WATCHFLOOR_TEST_PG_URL";

/** The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin. */
function serverBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined (for skipWithout). */
export function postgresMissing(): string | undefined {
  if (process.env[ENV_URL]) return undefined;
  if (!serverBin()) return "PostgreSQL server not installed (Debian package postgresql: /usr/lib/postgresql/*/bin/initdb)";
  if (isRoot()) {
    try {
      execFileSync("id", ["postgres"], { stdio: "ignore" });
    } catch {
      return "running as root but there is no postgres user to run the server as (Debian package postgresql creates it)";
    }
  }
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a server binary as the postgres user when we are root (the server refuses to run as root). */
function runServerCommand(bin: string, args: string[]): void {
  const quoted = [join(serverBin()!, bin), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  if (isRoot()) execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { stdio: "pipe" });
  else execFileSync("sh", ["-c", quoted], { stdio: "pipe" });
}

export class PostgresServer {
  private databases: string[] = [];
  private counter = 0;

  private constructor(
    /** Connects as the cluster's superuser, to the postgres database. */
    private adminUrl: string,
    private dir: string | undefined,
  ) {}

  /**
   * The server of WATCHFLOOR_TEST_PG_URL, or a new cluster (a few seconds). `durable`: always a new
   * cluster, with PostgreSQL's default durability (fsync, full page writes) — what a benchmark compares.
   * `own`: always a new cluster (a test that stops the server: kill()).
   */
  static async start(opts: { durable?: boolean; own?: boolean } = {}): Promise<PostgresServer> {
    const given = process.env[ENV_URL];
    if (given && !opts.durable && !opts.own) return new PostgresServer(given, undefined);
    const dir = tempDir("wf-pg-");
    const port = await freePort();
    if (isRoot()) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
    const data = join(dir, "data");
    // A test cluster: no fsync (nothing here survives a power cut anyway), C collation.
    runServerCommand("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-locale", "-E", "UTF8"]);
    runServerCommand("pg_ctl", [
      "-D",
      data,
      "-o",
      `-k ${dir} -h 127.0.0.1 -p ${port}${opts.durable ? "" : " -c fsync=off -c full_page_writes=off"} -c max_connections=200`,
      "-l",
      join(dir, "log"),
      "-w",
      "start",
    ]);
    return new PostgresServer(`postgresql://postgres@127.0.0.1:${port}/postgres`, dir);
  }

  /** A new empty database; returns its URL. */
  async createDatabase(prefix = "wf"): Promise<string> {
    const name = `${prefix}_${process.pid}_${++this.counter}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/gi, "_").toLowerCase();
    await this.admin(`CREATE DATABASE "${name}"`);
    this.databases.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Runs one statement as the superuser on the postgres database. */
  async admin(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /**
   * Stops this cluster's server at once (`pg_ctl stop -m immediate`) and leaves its files, as a
   * database lost under a running collector; stop() removes them. Only for a cluster started here.
   */
  kill(): void {
    if (!this.dir) throw new Error("kill(): the server of WATCHFLOOR_TEST_PG_URL is not this test's to stop");
    runServerCommand("pg_ctl", ["-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]);
    this.killed = true;
  }

  private killed = false;

  /**
   * SIGSTOP (or SIGCONT) to this cluster's server and its backends: a database that hangs — connections
   * stay open and nothing answers — rather than one that refuses. Only for a cluster started here.
   */
  freeze(signal: "SIGSTOP" | "SIGCONT"): void {
    if (!this.dir) throw new Error("freeze(): the server of WATCHFLOOR_TEST_PG_URL is not this test's to stop");
    const postmaster = Number(readFileSync(join(this.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(postmaster)]).toString().split(/\s+/).filter(Boolean).map(Number);
    for (const pid of [postmaster, ...children]) process.kill(pid, signal);
  }

  async stop(): Promise<void> {
    if (this.dir) {
      if (this.killed) {
        rmSync(this.dir, { recursive: true, force: true });
        return;
      }
      try {
        runServerCommand("pg_ctl", ["-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(this.dir, { recursive: true, force: true });
      }
      return;
    }
    for (const name of this.databases) await this.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** Who the tests run as, for messages. */
export const testUser = () => userInfo().username;
