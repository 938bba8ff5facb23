/**
 * `watchfloor profile test RECORDING [--profile ID|auto] [--profiles DIR] [--json]`: serves an SNMP walk
 * (snmprec, or `snmpwalk -On` output) through Debian's snmpsimd, polls it once with the agent's own SNMP
 * driver and profiles, and prints what each applied profile reads, the values, and what it misses: the
 * subtrees present in the walk that no applied profile reads. The tool a newcomer uses to add a vendor.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { Agent } from "../agent/agent.ts";
import { resolveAutoProfiles } from "../agent/drivers/snmp/auto.ts";
import { snmpOptionsSchema } from "../agent/drivers/snmp/options.ts";
import { appliedIds, loadProfiles } from "../agent/profiles/load.ts";
import type { PreparedDevice } from "../agent/site.ts";
import { systemClock } from "../common/clock.ts";
import { formatConfigError } from "../common/config/load.ts";
import { deviceSchema } from "../common/config/schema.ts";
import { serveRecording } from "./snmpsim.ts";
import { parseWalk, toSnmprec, WalkFormatError } from "./walk-file.ts";

const USAGE = `usage: watchfloor profile test RECORDING [--profile ID|auto] [--profiles DIR] [--json]

  RECORDING        an SNMP walk: snmpsim .snmprec (OID|TYPE|VALUE) or the output of
                   snmpwalk -On / snmpbulkwalk -On (numeric OIDs)
  --profile ID     the profile to test (default: auto — the vendor profile matched by sysObjectID
                   plus every standard MIB that answers)
  --profiles DIR   the profiles folder (default: config/profiles of this installation)
  --json           one JSON object instead of the report
Needs Debian's snmpsim and snmp packages. Exit 0 when the device yields readings, 1 when none, 2 on
bad usage or a recording it cannot read.
`;

const OID_RE = /^\.?\d+(\.\d+)+$/;
const strip = (o: string) => o.replace(/^\./, "");
const under = (oid: string, prefix: string) => oid === prefix || oid.startsWith(`${prefix}.`);

/** Every OID a profile's sources name (get, walk columns, label and where columns). */
export function sourceOids(sources: readonly unknown[]): string[] {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === "string" && OID_RE.test(v)) out.add(strip(v));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  sources.forEach(visit);
  return [...out];
}

/**
 * The subtree an OID is counted under: for a scalar (…​.0) its group (the OID without the .0 and its last
 * arc); in a table, the table entry (MIB-2: 1.3.6.1.2.1.G.T.E; an enterprise branch one arc deeper).
 */
export function subtreeOf(oid: string): string {
  const arcs = oid.split(".");
  if (arcs.at(-1) === "0" && arcs.length > 2) return arcs.slice(0, -2).join(".");
  const depth = oid.startsWith("1.3.6.1.4.1.") ? 10 : 9;
  return arcs.slice(0, Math.min(arcs.length - 1, depth)).join(".");
}

/** Names of the branches a newcomer will meet most (MIB-2 groups and enterprise numbers, IANA). */
const KNOWN: [string, string][] = [
  ["1.3.6.1.2.1.2", "IF-MIB ifTable"],
  ["1.3.6.1.2.1.31", "IF-MIB ifXTable"],
  ["1.3.6.1.2.1.25", "HOST-RESOURCES-MIB"],
  ["1.3.6.1.2.1.33", "UPS-MIB"],
  ["1.3.6.1.2.1.47", "ENTITY-MIB"],
  ["1.3.6.1.2.1.99", "ENTITY-SENSOR-MIB"],
  ["1.3.6.1.2.1.105", "POWER-ETHERNET-MIB"],
  ["1.3.6.1.2.1.17", "BRIDGE-MIB"],
  ["1.0.8802.1.1.2", "LLDP-MIB"],
  ["1.3.6.1.4.1.2021", "UCD-SNMP (net-snmp)"],
  ["1.3.6.1.4.1.8072", "NET-SNMP"],
  ["1.3.6.1.4.1.9", "Cisco"],
  ["1.3.6.1.4.1.318", "APC (PowerNet)"],
  ["1.3.6.1.4.1.534", "Eaton"],
  ["1.3.6.1.4.1.705", "Eaton/MGE"],
  ["1.3.6.1.4.1.476", "Vertiv/Liebert"],
  ["1.3.6.1.4.1.2011", "Huawei"],
  ["1.3.6.1.4.1.25506", "H3C"],
  ["1.3.6.1.4.1.4881", "Ruijie"],
  ["1.3.6.1.4.1.12356", "Fortinet"],
  ["1.3.6.1.4.1.28557", "Hillstone"],
  ["1.3.6.1.4.1.25461", "Palo Alto"],
  ["1.3.6.1.4.1.3854", "AKCP"],
  ["1.3.6.1.4.1.13742", "Raritan"],
  ["1.3.6.1.4.1.935", "Megatec/PPC (XPPC)"],
  ["1.3.6.1.4.1.4555", "Socomec"],
  ["1.3.6.1.4.1.2254", "Delta"],
  ["1.3.6.1.4.1.5528", "APC NetBotz"],
  ["1.3.6.1.4.1.52674", "APC NetBotz 50"],
  ["1.3.6.1.4.1.21239", "Geist (Vertiv)"],
  ["1.3.6.1.4.1.50001", "Hikvision"],
  ["1.3.6.1.4.1.1004849", "Dahua"],
];

export function nameOf(subtree: string): string | undefined {
  return KNOWN.filter(([p]) => under(subtree, p)).sort((a, b) => b[0].length - a[0].length)[0]?.[1];
}

/**
 * Subtrees nobody monitors: SNMP's own statistics, the system group, the IP/ICMP/TCP/UDP protocol
 * counters, the SNMPv3 engine.
 */
const NOT_MONITORED = [
  "1.3.6.1.2.1.1",
  "1.3.6.1.2.1.4",
  "1.3.6.1.2.1.5",
  "1.3.6.1.2.1.6",
  "1.3.6.1.2.1.7",
  "1.3.6.1.2.1.11",
  "1.3.6.1.6",
];

export interface Coverage {
  walked: number;
  read: number;
  missed: { subtree: string; name?: string; oids: number }[];
}

/** Which of the walk's OIDs the applied profile reads, and the subtrees with OIDs it does not read. Pure. */
export function coverage(walk: readonly string[], readOids: readonly string[]): Coverage {
  const missed = new Map<string, number>();
  let read = 0;
  let walked = 0;
  for (const oid of walk) {
    if (NOT_MONITORED.some((p) => under(oid, p))) continue;
    walked++;
    if (readOids.some((p) => under(oid, p))) read++;
    else missed.set(subtreeOf(oid), (missed.get(subtreeOf(oid)) ?? 0) + 1);
  }
  return {
    walked,
    read,
    missed: [...missed]
      .map(([subtree, oids]) => ({ subtree, ...(nameOf(subtree) ? { name: nameOf(subtree) } : {}), oids }))
      .sort((a, b) => b.oids - a.oids || a.subtree.localeCompare(b.subtree)),
  };
}

export async function runProfileTest(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`watchfloor profile: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [verb, file] = args.positionals;
  if (verb !== "test" || !file) {
    process.stderr.write(USAGE);
    return 2;
  }
  let snmprec: string;
  let walkOids: string[];
  try {
    const entries = parseWalk(readFileSync(file, "utf8"));
    if (entries.length === 0) throw new WalkFormatError("the file holds no OIDs");
    snmprec = toSnmprec(entries);
    walkOids = entries.map((e) => e.oid);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(
      `watchfloor profile test: ${file}: ${e.code ? `cannot read (${e.code})` : e.message}\n`,
    );
    return 2;
  }
  const dir = resolve(args.values.profiles ?? join(import.meta.dirname, "../config/profiles"));
  const { profiles, errors } = loadProfiles(dir);
  if (errors.length) {
    for (const e of errors) process.stderr.write(`${formatConfigError(e)}\n`);
    return 2;
  }
  const wanted = args.values.profile ?? "auto";
  if (wanted !== "auto" && !profiles.has(wanted)) {
    process.stderr.write(
      `watchfloor profile test: unknown profile ${wanted}; profiles in ${dir}: ${[...profiles.keys()].join(", ")}\n`,
    );
    return 2;
  }
  let sim: Awaited<ReturnType<typeof serveRecording>>;
  try {
    sim = await serveRecording(snmprec);
  } catch (err) {
    process.stderr.write(`watchfloor profile test: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const device: PreparedDevice = {
      config: deviceSchema.parse({
        id: "recording",
        name: file,
        class: "other",
        driver: "snmp",
        address: `127.0.0.1:${sim.port}`,
        profile: wanted,
        timeout: "60s",
      }),
      options: snmpOptionsSchema.parse({ community: sim.community, timeoutMs: 5000 }),
      profile: profiles.get(wanted === "auto" ? "if-mib" : wanted)!,
    };
    const problems = wanted === "auto" ? await resolveAutoProfiles([device], profiles) : [];
    const applied = problems.length ? [] : appliedIds(device.profile, profiles);
    const agent = await Agent.create({
      agentId: "profile-test",
      devices: [device],
      clock: systemClock,
      logger: pino({ level: "silent" }),
    });
    const [result] = await agent.pollAll();
    await agent.stop();
    const cov = coverage(walkOids, problems.length ? [] : sourceOids(device.profile.sources));
    const report = {
      recording: file,
      oids: walkOids.length,
      profiles: applied,
      problems,
      up: result!.up,
      ...(result!.error ? { error: result!.error } : {}),
      readings: result!.readings,
      readingErrors: result!.readingErrors,
      coverage: cov,
    };
    if (args.values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(formatReport(report));
    return result!.readings.length > 0 ? 0 : 1;
  } finally {
    await sim.stop();
  }
}

function formatReport(r: {
  recording: string;
  oids: number;
  profiles: string[];
  problems: string[];
  up: boolean;
  error?: string;
  readings: { name: string; labels: Record<string, string>; value: number }[];
  readingErrors: { reading: string; error: string }[];
  coverage: Coverage;
}): string {
  const lines = [`recording: ${r.recording} (${r.oids} OIDs)`];
  lines.push(`profiles applied: ${r.profiles.join(" + ") || "(none)"}`);
  for (const p of r.problems) lines.push(`  ! ${p}`);
  if (!r.up) lines.push(`device down: ${r.error ?? "no answer"}`);
  lines.push(`readings (${r.readings.length}):`);
  for (const x of r.readings) {
    const labels = Object.entries(x.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(",");
    lines.push(`  ${x.name}${labels ? `{${labels}}` : ""} = ${x.value}`);
  }
  if (r.readingErrors.length) {
    lines.push(`reading errors (${r.readingErrors.length}):`);
    for (const e of r.readingErrors) lines.push(`  ${e.reading}: ${e.error}`);
  }
  const c = r.coverage;
  lines.push(`read: ${c.read} of ${c.walked} OIDs (the system group and protocol statistics not counted)`);
  if (c.missed.length) {
    lines.push(
      "not read (subtrees in the walk no applied profile reads; a vendor subtree here is a profile to write):",
    );
    for (const m of c.missed.slice(0, 40))
      lines.push(`  ${m.subtree}${m.name ? ` (${m.name})` : ""}  ${m.oids} OIDs`);
    if (c.missed.length > 40) lines.push(`  … ${c.missed.length - 40} more subtrees (--json lists them all)`);
  }
  return `${lines.join("\n")}\n`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { profile: { type: "string" }, profiles: { type: "string" }, json: { type: "boolean" } },
  });
}
