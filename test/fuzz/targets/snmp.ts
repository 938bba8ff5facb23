import { createSocket } from "node:dgram";
import { join } from "node:path";
import { Floor } from "../../harness/floor.ts";
import { scrape } from "../../harness/metrics.ts";
import { until } from "../../harness/process.ts";
import { V3_USER } from "../../peers/snmpd.ts";
import { freeUdpPort, snmpsimMissing, startSnmpsim } from "../../peers/snmpsim.ts";
import { snmptrapMissing, upsOnBatteryTrapV2c } from "../../peers/snmptrap.ts";
import { communityMessage, PDU } from "../ber.ts";
import { type FuzzOptions, inputs, newResult, noteExample, type TargetResult } from "../report.ts";
import { responseRequestId, snmpPacket } from "../snmp-packets.ts";

const OWN = join(import.meta.dirname, "..", "..", "snmp", "recordings");
const COMMUNITY = "watchfloor-ups";
const POLL_SECONDS = 1;
/** An inform after every this many packets: its answer proves the agent read everything before it. */
// Small batches: a burst larger than the agent's socket buffer (about 200 KB) would be dropped unread.
const SENTINEL_EVERY = 50;

export function snmpTargetMissing(): string | undefined {
  return snmpsimMissing(OWN) ?? snmptrapMissing();
}

/**
 * Random and mutated SNMP datagrams at the trap listener of a real agent process (with a real
 * collector, and a UPS in snmpsim polled every second). Crash: the agent exits. Hang: an inform sent
 * after a batch gets no answer within 5 s. Afterwards the agent must still answer /healthz, still
 * poll on schedule and still turn a trap from Debian's snmptrap into a condition.
 */
export async function fuzzSnmp(opts: FuzzOptions): Promise<TargetResult> {
  const r = newResult("snmp");
  const sim = await startSnmpsim({ source: OWN });
  const trapPort = await freeUdpPort();
  const floor = new Floor({
    // The limit is lifted: the fuzz is about what the parser survives, not what the limiter drops.
    agentExtra: `  traps: { listen: "127.0.0.1:${trapPort}", rateLimit: { perSecond: 1000000, burst: 1000000 } }`,
    devices: [
      `  - { id: ups-1, name: UPS, class: ups, zone: server-room, driver: snmp, address: "127.0.0.1:${sim.port}", profile: ups-mib, interval: ${POLL_SECONDS}s, options: { community: ${COMMUNITY}, timeoutMs: 500, retries: 0 } }`,
      // Polled on its schedule only: no fuzz packet carries its community, so no trap asks for a poll.
      `  - { id: apc-1, name: APC, class: ups, zone: server-room, driver: snmp, address: "127.0.0.1:${sim.port}", profile: apc-powernet-ups, interval: ${POLL_SECONDS}s, options: { community: watchfloor-apc-ups, timeoutMs: 500, retries: 0 } }`,
      `  - { id: sw-1, name: switch, class: network, zone: server-room, driver: snmp, address: "127.0.0.1:${sim.port}", profile: if-mib, interval: 1h, options: { version: "3", timeoutMs: 300, retries: 0, v3: ${JSON.stringify(V3_USER)} } }`,
    ].join("\n"),
  });
  const socket = createSocket("udp4");
  const waiting = new Map<bigint, () => void>();
  socket.on("message", (msg) => {
    const id = responseRequestId(msg);
    if (id !== undefined) waiting.get(id)?.();
  });
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", () => done()));
  const send = (p: Buffer) => new Promise<void>((done) => socket.send(p, trapPort, "127.0.0.1", () => done()));
  /** An inform, sent again every 500 ms (UDP may drop one) until answered or `timeoutMs` passes. */
  const sentinel = async (timeoutMs: number): Promise<boolean> => {
    const id = BigInt(1 + Math.floor(Math.random() * 2 ** 30));
    const inform = communityMessage({ community: COMMUNITY, pduType: PDU.inform, requestId: id });
    let answered = false;
    waiting.set(id, () => {
      answered = true;
    });
    const end = Date.now() + timeoutMs;
    while (!answered && Date.now() < end) {
      await send(inform);
      for (let i = 0; i < 50 && !answered; i += 1) await new Promise((res) => setTimeout(res, 10));
    }
    waiting.delete(id);
    return answered;
  };
  const started = Date.now();
  try {
    await floor.startCollector();
    floor.env.WATCHFLOOR_LOG_LEVEL = "warn";
    await floor.startAgent();
    const agent = floor.agent!;
    const metrics = `${floor.agentUrl}/metrics`;
    await until("the trap listener answering an inform", async () => ((await sentinel(500)) ? true : undefined), 15_000, 10);
    const polls = () => scrape(metrics, "watchfloor_polls_total", { device: "apc-1" });
    const polls0 = await polls();
    const t0 = Date.now();
    const arb = snmpPacket({ communities: [COMMUNITY], users: [V3_USER.user] });
    let last: Buffer | undefined;
    for (const packet of inputs(arb, opts.count, opts.seed)) {
      last = packet;
      await send(packet);
      r.inputs += 1;
      if (r.inputs % SENTINEL_EVERY === 0 || r.inputs === opts.count) {
        if (agent.child.exitCode !== null || agent.child.signalCode !== null) {
          r.crashes += 1;
          noteExample(r, `agent exited (${agent.child.exitCode ?? agent.child.signalCode}) after packet ${last.toString("hex")}; output: ${agent.output.slice(-500)}`);
          break;
        }
        if (!(await sentinel(5000))) {
          r.hangs += 1;
          noteExample(r, `no answer to an inform within 5 s after packet ${r.inputs}: ${last.toString("hex")}`);
        }
        if (r.inputs % 10_000 === 0) opts.log?.(`snmp: ${r.inputs} packets`);
      }
    }
    const fuzzSeconds = (Date.now() - t0) / 1000;
    if (r.crashes === 0) {
      const health = await fetch(`${floor.agentUrl}/healthz`).then((res) => res.status, () => 0);
      r.after.push({ check: "agent answers /healthz", ok: health === 200, detail: `status ${health}` });
      const during = (await polls()) - polls0;
      const expected = Math.floor(fuzzSeconds / POLL_SECONDS) - 2;
      r.after.push({
        check: "agent polled on schedule during the run",
        ok: during >= expected && during <= expected + 4,
        detail: `${during} polls of apc-1 in ${fuzzSeconds.toFixed(1)} s at ${POLL_SECONDS} s`,
      });
      const p1 = await polls();
      await new Promise((res) => setTimeout(res, 3500));
      const afterwards = (await polls()) - p1;
      r.after.push({
        check: "agent still polling on schedule afterwards",
        ok: afterwards >= 3 && afterwards <= 4,
        detail: `${afterwards} polls of apc-1 in 3.5 s`,
      });
      const traps0 = await scrape(metrics, "watchfloor_agent_snmp_traps_total", { outcome: "condition" });
      await upsOnBatteryTrapV2c(trapPort, COMMUNITY);
      const got = await until(
        "the trap counted",
        async () => ((await scrape(metrics, "watchfloor_agent_snmp_traps_total", { outcome: "condition" })) > traps0 ? true : undefined),
        5000,
        50,
      ).catch(() => false);
      r.after.push({ check: "a trap from Debian's snmptrap still raises its condition", ok: got === true });
      const errors = await scrape(metrics, "watchfloor_agent_errors_total", { component: "snmp_traps" });
      opts.log?.(`snmp: ${errors} packets made net-snmp throw; each was isolated (watchfloor_agent_errors_total{component="snmp_traps"})`);
    }
  } finally {
    r.seconds = (Date.now() - started) / 1000;
    socket.close();
    await floor.stop();
    await sim.stop();
  }
  return r;
}
