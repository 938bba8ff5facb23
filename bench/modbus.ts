/**
 * bench:modbus — for each shipped Modbus profile: requests per poll and bytes on the wire with and
 * without coalescing, registers per second over Modbus TCP on loopback (a real pymodbus device), and the
 * time one poll would take on an RS-485 bus at 9600 baud beside the physical floor of the register map.
 *
 * Wire time of one read of N registers at 9600 8N1 (RECIPES.md): (8 + 5 + 2N) bytes of 10 bits, plus two
 * 3.5-character silences. The floor is the registers the profile wants, packed into as few 125-register
 * reads as possible; the ratio agent / floor is the figure to drive down. Beside them: the requests Network
 * UPS Tools' own driver sends per poll where NUT has one (bench/nut-plans.ts, read from the NUT source),
 * priced with the planner's cost model (serialCost: ~20 character times per request plus 2 per register).
 *
 * usage: npm run bench:modbus [-- --seconds 1]
 */

import { createModbusDriver, modbusOptionsSchema } from "../agent/drivers/modbus/driver.ts";
import {
  planCost,
  planRequests,
  planSingleReads,
  type ReadRequest,
  type RegisterSpan,
  serialCost,
} from "../agent/drivers/modbus/plan.ts";
import { type ModbusSource, sourceWidth } from "../agent/drivers/modbus/source.ts";
import { loadProfileFile } from "../agent/profiles/load.ts";
import { deviceSchema } from "../common/config/schema.ts";
import { createLogger } from "../common/logger.ts";
import { CASES } from "../test/modbus/cases.ts";
import { profilePath, startDevice, testProfilePath, type UnitMap } from "../test/modbus/peers.ts";
import { NUT_PLANS, nutRequests } from "./nut-plans.ts";

const BAUD = 9600;
const BITS_PER_BYTE = 10;
const GAP = 16;
const SERIAL = serialCost(BAUD);
const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 1;

const isBits = (r: { table: string }) => r.table === "coil" || r.table === "discrete";
const payload = (r: ReadRequest) => (isBits(r) ? Math.ceil(r.count / 8) : 2 * r.count);
/** Modbus TCP: MBAP (7) + function, address, count (5); reply MBAP (7) + function, byte count (2) + data. */
const tcpBytes = (reqs: ReadRequest[]) => reqs.reduce((n, r) => n + 12 + 9 + payload(r), 0);
/** RTU: unit, function, address, count, CRC (8); reply unit, function, byte count, data, CRC (5 + data). */
const rtuBytes = (reqs: ReadRequest[]) => reqs.reduce((n, r) => n + 8 + 5 + payload(r), 0);
const rtuSeconds = (reqs: ReadRequest[]) =>
  reqs.reduce(
    (t, r) => t + ((8 + 5 + payload(r)) * BITS_PER_BYTE) / BAUD + (2 * 3.5 * BITS_PER_BYTE) / BAUD,
    0,
  );

/** The physical floor: only the wanted registers, packed into full 125-register reads. */
function floorSeconds(spans: RegisterSpan[]): number {
  const wanted = new Map<string, number>();
  for (const s of spans)
    for (let i = 0; i < s.count; i++) wanted.set(`${s.table}:${s.address + i}`, isBits(s) ? 1 : 2);
  const regs = [...wanted.values()].filter((b) => b === 2).length;
  const bits = [...wanted.values()].filter((b) => b === 1).length;
  const frames: ReadRequest[] = [];
  for (let left = regs; left > 0; left -= 125)
    frames.push({ table: "holding", address: 0, count: Math.min(125, left), spans: [] });
  for (let left = bits; left > 0; left -= 2000)
    frames.push({ table: "coil", address: 0, count: Math.min(2000, left), spans: [] });
  return rtuSeconds(frames);
}

/** The case's registers plus zeros for every hole a coalesced read spans, so gap reads are legal. */
function filledUnit(unit: UnitMap, reqs: ReadRequest[]): UnitMap {
  const out: UnitMap = {
    holding: { ...unit.holding },
    input: { ...unit.input },
    coil: { ...unit.coil },
    discrete: { ...unit.discrete },
  };
  for (const r of reqs) for (let a = r.address; a < r.address + r.count; a++) out[r.table]![String(a)] ??= 0;
  return out;
}

async function registersPerSecond(
  port: string,
  unitId: number,
  sources: ModbusSource[],
  options: Record<string, unknown>,
) {
  const driver = createModbusDriver();
  const opts = modbusOptionsSchema.parse({ ...options, unitId });
  const config = deviceSchema.parse({
    id: "b",
    name: "b",
    class: "ups",
    driver: "modbus",
    address: `127.0.0.1:${port}`,
    profile: "b",
  });
  const session = driver.open(config, opts, { logger: createLogger("bench", { level: "silent" }) });
  const signal = new AbortController().signal;
  await session.read(sources, signal);
  const width = sources.reduce((n, s) => n + sourceWidth(s), 0);
  let polls = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const reads = await session.read(sources, signal);
    if (reads.some((r) => !r.ok))
      throw new Error(`bench read failed: ${JSON.stringify(reads.find((r) => !r.ok))}`);
    polls++;
  }
  const elapsed = (performance.now() - start) / 1000;
  await session.close();
  return { regsPerSecond: (polls * width) / elapsed, pollsPerSecond: polls / elapsed };
}

const shipped = CASES.filter((c) => !c.testOnly && !c.variant);
const rows: Record<string, string | number>[] = [];
const plans = shipped.map((c) => {
  const { profile, errors } = loadProfileFile(
    c.testOnly ? testProfilePath(c.profile) : profilePath(c.profile),
  );
  if (!profile) throw new Error(`${c.profile}: ${JSON.stringify(errors)}`);
  const sources = profile.sources as ModbusSource[];
  const spans = sources.map((s) => ({ table: s.table, address: s.address, count: sourceWidth(s) }));
  return {
    c,
    sources,
    spans,
    single: planSingleReads(spans),
    coalesced: planRequests(spans, { maxRegisters: 125, maxGap: 0 }),
    gapped: planRequests(spans, { maxRegisters: 125, maxGap: GAP }),
    // What the agent does with default options: the least-wire-time plan for the transport.
    defaultRtu: planRequests(spans, { maxRegisters: 125, cost: SERIAL }),
    defaultTcp: planRequests(spans, { maxRegisters: 125 }),
    // The best any fixed maxGap (0…124) achieves on RS-485: an independent yardstick for the default.
    bestFixedGap: Math.min(
      ...Array.from({ length: 125 }, (_, g) =>
        rtuSeconds(planRequests(spans, { maxRegisters: 125, maxGap: g })),
      ),
    ),
  };
});

const units = Object.fromEntries(
  plans.map((p, i) => [String(i + 1), filledUnit(filledUnit(p.c.unit, p.gapped), p.defaultTcp)]),
);
const device = await startDevice({ transport: "tcp", units });
try {
  for (const [i, p] of plans.entries()) {
    const unitId = i + 1;
    const singleTcp = await registersPerSecond(device.where, unitId, p.sources, { maxRegisters: 1 });
    const coalescedTcp = await registersPerSecond(device.where, unitId, p.sources, { maxGap: 0 });
    const gappedTcp = await registersPerSecond(device.where, unitId, p.sources, { maxGap: GAP });
    const defaultTcp = await registersPerSecond(device.where, unitId, p.sources, {});
    const floor = floorSeconds(p.spans);
    const best = Math.min(rtuSeconds(p.coalesced), rtuSeconds(p.gapped));
    const nut = NUT_PLANS[p.c.profile];
    const nutSeconds = nut ? planCost(nutRequests(nut), SERIAL) : undefined;
    const defaultSeconds = planCost(p.defaultRtu, SERIAL);
    rows.push({
      profile: p.c.profile,
      "req/poll single": p.single.length,
      "req/poll gap0": p.coalesced.length,
      [`req/poll gap${GAP}`]: p.gapped.length,
      "TCP bytes single": tcpBytes(p.single),
      "TCP bytes gap0": tcpBytes(p.coalesced),
      [`TCP bytes gap${GAP}`]: tcpBytes(p.gapped),
      "RTU bytes single": rtuBytes(p.single),
      "RTU bytes gap0": rtuBytes(p.coalesced),
      "regs/s single": Math.round(singleTcp.regsPerSecond),
      "regs/s gap0": Math.round(coalescedTcp.regsPerSecond),
      [`regs/s gap${GAP}`]: Math.round(gappedTcp.regsPerSecond),
      "9600 ms single": +(rtuSeconds(p.single) * 1000).toFixed(1),
      "9600 ms best": +(best * 1000).toFixed(1),
      "floor ms": +(floor * 1000).toFixed(1),
      "ratio best/floor": +(best / floor).toFixed(2),
      "req/poll default RTU": p.defaultRtu.length,
      "req/poll default TCP": p.defaultTcp.length,
      "regs/s default": Math.round(defaultTcp.regsPerSecond),
      "9600 ms default": +(rtuSeconds(p.defaultRtu) * 1000).toFixed(1),
      "9600 ms best fixed gap": +(p.bestFixedGap * 1000).toFixed(1),
      "ratio default/best gap": +(rtuSeconds(p.defaultRtu) / p.bestFixedGap).toFixed(2),
      "NUT driver": nut?.driver ?? "—",
      "req/poll NUT": nut?.reads.length ?? "—",
      "9600 ms NUT": nutSeconds === undefined ? "—" : +(nutSeconds * 1000).toFixed(1),
      "ratio default/NUT": nutSeconds === undefined ? "—" : +(defaultSeconds / nutSeconds).toFixed(2),
    });
  }
} finally {
  await device.stop();
}

console.log(
  `Modbus plan and wire figures (TCP on loopback against pymodbus, ${seconds}s per figure; RS-485 at ${BAUD} 8N1)`,
);
console.table(rows);
for (const r of rows)
  console.log(
    `${r.profile}: requests/poll ${r["req/poll single"]} single → ${r["req/poll gap0"]} coalesced → ` +
      `${r[`req/poll gap${GAP}`]} with maxGap ${GAP}; ` +
      `RS-485 poll ${r["9600 ms best"]} ms vs floor ${r["floor ms"]} ms, ratio ${r["ratio best/floor"]}; ` +
      `default options: ${r["req/poll default RTU"]} requests on RS-485 (${r["9600 ms default"]} ms, ` +
      `${r["ratio default/best gap"]}× the best fixed maxGap, ${(Number(r["9600 ms default"]) / Number(r["floor ms"])).toFixed(2)}× the floor), ` +
      `${r["req/poll default TCP"]} on TCP; ` +
      (r["NUT driver"] === "—"
        ? "NUT: — (no NUT driver)"
        : `NUT ${r["NUT driver"]}: ${r["req/poll NUT"]} requests (${r["9600 ms NUT"]} ms), default/NUT ${r["ratio default/NUT"]}`),
  );
console.log("\nNUT's plans (one poll, upsdrv_updateinfo; FC 3 = Read Holding Registers):");
for (const [profile, plan] of Object.entries(NUT_PLANS))
  for (const r of plan.reads)
    console.log(
      `  ${profile}: FC ${r.functionCode} ${r.address}×${r.count} — nut@${plan.commit.slice(0, 12)} ${r.source}`,
    );
