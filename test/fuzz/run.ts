/**
 * npm run fuzz [-- --count N] [--seed S] [--targets snmp,http,config,modbus]
 *
 * Runs each fuzz target with N inputs (default 100,000), prints per target its inputs, crashes,
 * hangs and 5xx and the checks made afterwards, then the goal line. Exit 1 when the goal is missed.
 */
import { parseArgs } from "node:util";
import { formatResult, passed, type TargetResult } from "./report.ts";
import { TARGETS } from "./targets/index.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    targets: { type: "string", default: Object.keys(TARGETS).join(",") },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const names = values.targets!.split(",").filter(Boolean);
for (const n of names)
  if (!(n in TARGETS)) {
    process.stderr.write(`fuzz: unknown target ${n}; expected some of ${Object.keys(TARGETS).join(", ")}\n`);
    process.exit(2);
  }
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write("fuzz: --count must be a positive integer\n");
  process.exit(2);
}

process.stdout.write(`fuzz: ${count} inputs per target, seed ${seed} (replay with --seed ${seed})\n`);
const results: TargetResult[] = [];
for (const name of names) {
  const t = TARGETS[name]!;
  const missing = t.missing();
  if (missing) {
    process.stdout.write(`${name.padEnd(7)} cannot run: ${missing}\n`);
    results.push({ target: name, inputs: 0, crashes: 0, hangs: 0, serverErrors: 0, seconds: 0, examples: [], after: [{ check: "peer present", ok: false, detail: missing }] });
    continue;
  }
  try {
    const r = await t.run({ count, seed, log: (line) => process.stdout.write(`  ${line}\n`) });
    results.push(r);
    process.stdout.write(`${formatResult(r)}\n`);
  } catch (err) {
    // The target's own set-up failed (a peer did not start): say so and go on with the others.
    const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    process.stdout.write(`${name.padEnd(7)} could not run: ${message}\n`);
    results.push({ target: name, inputs: 0, crashes: 0, hangs: 0, serverErrors: 0, seconds: 0, examples: [], after: [{ check: "target set up", ok: false, detail: message }] });
  }
}
const ok = results.every((r) => passed(r) && r.inputs >= count);
const total = (k: "crashes" | "hangs" | "serverErrors") => results.reduce((s, r) => s + r[k], 0);
process.stdout.write(
  `goal: 0 crashes, 0 hangs, 0 5xx over ≥ ${count} inputs per target, the agent still polling afterwards — ${ok ? "MET" : "NOT MET"} ` +
    `(crashes ${total("crashes")}, hangs ${total("hangs")}, 5xx ${total("serverErrors")}, inputs ${results.map((r) => `${r.target} ${r.inputs}`).join(", ")})\n`,
);
process.exit(ok ? 0 : 1);
