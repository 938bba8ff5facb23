import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadSite } from "../../../agent/site.ts";
import { loadCollectorSite } from "../../../collector/site.ts";
import { ROOT, tempDir } from "../../harness/process.ts";
import { type FuzzOptions, inputs, newResult, noteExample, type TargetResult } from "../report.ts";

/** A valid site file using most of the schema (two drivers, v3, secrets by reference, zones, dependencies). */
const BASE = `site: { name: fuzz floor, timezone: Asia/Shanghai }
zones:
  - { id: server-room, name: 机房 }
  - { id: floor, name: 坐席区 }
agent:
  id: agent-1
  listen: 127.0.0.1:9464
  dataDir: var/agent
  profilesDir: profiles
  heartbeat: 15s
  collector: { url: "http://127.0.0.1:8480", token: "\${env:WF_FUZZ_TOKEN}" }
  traps: { listen: "127.0.0.1:1162", rateLimit: { perSecond: 20, burst: 200 } }
collector:
  listen: 127.0.0.1:8480
  agents: [{ id: agent-1, token: agent-secret }]
  badTokenLimit: { max: 30, window: 1m }
devices:
  - id: th-1
    name: 温湿度 1
    class: environment
    zone: server-room
    criticality: high
    driver: modbus
    address: "127.0.0.1:5020"
    profile: xy-md02-th-sensor-modbus
    interval: 10s
    options: { unitId: 1, timeoutMs: 1000 }
  - id: core-sw
    name: Core switch
    class: network
    zone: floor
    driver: snmp
    address: 10.0.0.2
    profile: if-mib
    dependsOn: [th-1]
    options: { version: "3", v3: { user: wf, level: authPriv, authProtocol: sha, authKey: authpass123, privProtocol: aes, privKey: privpass123 } }
  - id: edge-sw
    name: Edge switch
    class: network
    driver: snmp
    address: 10.0.0.3:161
    profile: if-mib
    options: { community: "\${env:WF_FUZZ_COMMUNITY}" }
`;

const SNIPPETS = [
  "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
  'token: "${file:/dev/zero}"',
  'token: "${file:/etc/shadow}"',
  'token: "${file:/proc/self/mem}"',
  'token: "${env:WF_NOPE}"',
  "community: ${file:/tmp}",
  "<<: *undefined_anchor",
  "x: !!binary aGVsbG8=",
  "x: !!js/function 'function(){}'",
  "x: !!map { a: 1 }",
  "? [complex, key]\n: value",
  "__proto__: { polluted: 1 }",
  "constructor: { prototype: { x: 1 } }",
  "interval: 1e400",
  "interval: -5s",
  "interval: .nan",
  "timeout: 0x1F",
  "id: ~",
  "id: 2026-01-01",
  "zone: server-room\nzone: floor",
  "devices: []",
  "devices: {}",
  "agent: null",
  "  - *a",
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `x: "${"a".repeat(100_000)}"`,
  "\t- tab indented",
  "%YAML 1.1\n---",
  "--- !!str\n...",
  "profile: ../../../../etc/passwd",
  "profilesDir: /dev",
  "address: \"[::1]:99999\"",
  "listen: 0.0.0.0:-1",
];

const lineOp = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), line: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), line: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant("snippet" as const), line: fc.nat(), text: fc.constantFrom(...SNIPPETS), indent: fc.nat({ max: 6 }) }),
  fc.record({ op: fc.constant("value" as const), line: fc.nat(), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 30 })) }),
  fc.record({ op: fc.constant("chars" as const), at: fc.nat(), cut: fc.nat({ max: 20 }), insert: fc.string({ maxLength: 10, unit: "binary" }) }),
);

type LineOp = typeof lineOp extends fc.Arbitrary<infer O> ? O : never;

function apply(text: string, op: LineOp): string {
  const lines = text.split("\n");
  const at = (n: number) => n % Math.max(lines.length, 1);
  switch (op.op) {
    case "delete":
      lines.splice(at(op.line), 1);
      break;
    case "duplicate":
      lines.splice(at(op.line), 0, lines[at(op.line)] ?? "");
      break;
    case "swap": {
      const [a, b] = [at(op.line), at(op.other)];
      [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
      break;
    }
    case "indent": {
      const i = at(op.line);
      lines[i] = op.by >= 0 ? " ".repeat(op.by) + (lines[i] ?? "") : (lines[i] ?? "").slice(-op.by);
      break;
    }
    case "snippet":
      lines.splice(at(op.line), 0, ...op.text.split("\n").map((l) => " ".repeat(op.indent) + l));
      break;
    case "value": {
      const i = at(op.line);
      const colon = (lines[i] ?? "").indexOf(": ");
      if (colon >= 0) lines[i] = `${lines[i]!.slice(0, colon + 2)}${op.value}`;
      break;
    }
    case "chars": {
      const joined = lines.join("\n");
      const i = op.at % Math.max(joined.length, 1);
      return joined.slice(0, i) + op.insert + joined.slice(i + op.cut);
    }
  }
  return lines.join("\n");
}

const configText = fc.array(lineOp, { minLength: 1, maxLength: 6 }).map((ops) => ops.reduce(apply, BASE));

/**
 * Mutated site files through check-config's loader (loadSite for the agent's part, loadCollectorSite
 * for the collector's): every one must come back as a value (errors naming file and path, or a site),
 * never a thrown exception (crash) and never take over 5 s (hang).
 */
export async function fuzzConfig(opts: FuzzOptions): Promise<TargetResult> {
  const r = newResult("config");
  const dir = tempDir("wf-fuzz-config-");
  mkdirSync(join(dir, "profiles"));
  for (const p of ["xy-md02-th-sensor-modbus", "if-mib"])
    copyFileSync(join(ROOT, "config/profiles", `${p}.yaml`), join(dir, "profiles", `${p}.yaml`));
  const file = join(dir, "site.yaml");
  process.env.WF_FUZZ_TOKEN = "fuzz-token";
  process.env.WF_FUZZ_COMMUNITY = "fuzz-community";
  writeFileSync(file, BASE);
  const base = loadSite(file);
  if (!base.site) throw new Error(`the fuzz base config does not load: ${JSON.stringify(base.errors)}`);
  const started = Date.now();
  try {
    for (const text of inputs(configText, opts.count, opts.seed)) {
      writeFileSync(file, text);
      r.inputs += 1;
      const t0 = Date.now();
      try {
        const agent = loadSite(file);
        if (agent.site?.config.collector) loadCollectorSite(file);
        if (!agent.site && agent.errors.length === 0) {
          r.crashes += 1;
          noteExample(r, `no site and no error for: ${JSON.stringify(text)}`);
        }
      } catch (err) {
        r.crashes += 1;
        noteExample(r, `${(err as Error).stack?.split("\n").slice(0, 3).join(" ")} for: ${JSON.stringify(text)}`);
      }
      if (Date.now() - t0 > 5000) {
        r.hangs += 1;
        noteExample(r, `${Date.now() - t0} ms for: ${JSON.stringify(text).slice(0, 300)}`);
      }
      if (r.inputs % 10_000 === 0) opts.log?.(`config: ${r.inputs} files`);
    }
  } finally {
    r.seconds = (Date.now() - started) / 1000;
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}
