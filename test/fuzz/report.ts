import fc from "fast-check";

/** What one fuzz target saw. `crashes`: the process under test died or threw past its walls. */
export interface TargetResult {
  target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  /** HTTP 5xx answers (HTTP targets only; 0 elsewhere). */
  serverErrors: number;
  seconds: number;
  /** Up to a few inputs that failed, to reproduce them. */
  examples: string[];
  /** Checks after the run (e.g. "agent still polling on schedule"), each with whether it held. */
  after: { check: string; ok: boolean; detail?: string }[];
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Progress lines (the runner prints them; the test keeps quiet). */
  log?: (line: string) => void;
}

export function newResult(target: string): TargetResult {
  return { target, inputs: 0, crashes: 0, hangs: 0, serverErrors: 0, seconds: 0, examples: [], after: [] };
}

export function noteExample(r: TargetResult, text: string): void {
  if (r.examples.length < 5) r.examples.push(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** `count` values of `arb`, generated in chunks (fast-check's sample) from a seed, so a run can be replayed. */
export function* inputs<T>(arb: fc.Arbitrary<T>, count: number, seed: number, chunk = 500): Generator<T> {
  for (let done = 0, round = 0; done < count; round += 1) {
    const n = Math.min(chunk, count - done);
    for (const v of fc.sample(arb, { numRuns: n, seed: seed + round })) yield v;
    done += n;
  }
}

export function passed(r: TargetResult): boolean {
  return r.crashes === 0 && r.hangs === 0 && r.serverErrors === 0 && r.after.every((a) => a.ok);
}

export function formatResult(r: TargetResult): string {
  const lines = [
    `${r.target.padEnd(7)} inputs ${String(r.inputs).padStart(7)}  crashes ${r.crashes}  hangs ${r.hangs}  5xx ${r.serverErrors}  (${r.seconds.toFixed(1)} s, ${Math.round(r.inputs / Math.max(r.seconds, 0.001))}/s)`,
  ];
  for (const a of r.after) lines.push(`        after: ${a.ok ? "ok  " : "FAIL"} ${a.check}${a.detail ? ` (${a.detail})` : ""}`);
  for (const e of r.examples) lines.push(`        example: ${e}`);
  return lines.join("\n");
}

/** Counts uncaught exceptions and unhandled rejections in this process as crashes until the returned stop() is called. */
export function countUncaught(r: TargetResult): () => void {
  const onCrash = (err: unknown) => {
    r.crashes += 1;
    noteExample(r, `uncaught: ${err instanceof Error ? err.stack : String(err)}`);
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  return () => {
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  };
}
