import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export function tempDir(prefix = "wf-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A child process whose output is kept, so a test can wait for a line and show it on failure. */
export class Proc {
  readonly child: ChildProcess;
  output = "";
  private waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  constructor(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: boolean } = {}) {
    this.child = spawn(command, args, {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd ?? ROOT,
      stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    const onData = (chunk: Buffer) => {
      this.output += chunk.toString();
      this.waiters = this.waiters.filter((w) => {
        const m = this.output.match(w.re);
        if (m) w.resolve(m);
        return !m;
      });
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
  }

  /** Waits for output matching `re`; rejects with the output so far when it does not come. */
  waitFor(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const m = this.output.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${this.output.slice(-3000)}`)), timeoutMs);
      this.waiters.push({
        re,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
      this.child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`process exited (${code}) before ${re}; output:\n${this.output.slice(-3000)}`));
      });
    });
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

export function node(bin: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  return new Proc(process.execPath, [join(ROOT, "bin", bin), ...args], opts);
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
}
