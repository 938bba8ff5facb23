import { execFileSync } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";
import fc from "fast-check";
import { createModbusDriver, modbusOptionsSchema } from "../../../agent/drivers/modbus/driver.ts";
import { pollDevice } from "../../../agent/poll.ts";
import { loadProfileFile } from "../../../agent/profiles/load.ts";
import type { PreparedDevice } from "../../../agent/site.ts";
import { deviceSchema } from "../../../common/config/schema.ts";
import { createLogger } from "../../../common/logger.ts";
import { CASES } from "../../modbus/cases.ts";
import { profilePath, seriesKey, startDevice } from "../../modbus/peers.ts";
import { countUncaught, type FuzzOptions, inputs, newResult, noteExample, type TargetResult } from "../report.ts";

/**
 * Garbage Modbus TCP answers at the Modbus driver. No Modbus peer can be made to send malformed
 * frames (pymodbus always frames correctly), so the garbage comes from a raw TCP server written here:
 * for each request it answers with a generated frame — random bytes, MBAP headers whose length or
 * transaction id lie, PDUs with the wrong function code or byte count, exceptions with any code,
 * answers cut short or followed by more — and sometimes hangs up. Afterwards the same servers pass
 * connections through to a real pymodbus device, and every session must read it correctly again.
 */

const SERVERS = 4;
const ac = CASES.find((c) => c.profile === "generic-precision-ac-modbus")!;

export function modbusTargetMissing(): string | undefined {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import pymodbus"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "pymodbus is not installed for /usr/bin/python3 (Debian package python3-pymodbus)";
  }
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const garbage = fc.record({
  kind: fc.constantFrom("random", "lying-length", "other-tid", "wrong-fc", "byte-count", "exception", "truncated", "trailing", "twice", "empty-pdu"),
  random: bytes(300),
  length: fc.integer({ min: 0, max: 0xffff }),
  tidDelta: fc.integer({ min: 1, max: 0xffff }),
  fc: fc.integer({ min: 0, max: 255 }),
  count: fc.integer({ min: 0, max: 255 }),
  cut: fc.nat(),
  hangUp: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 2 }),
});
type Garbage = typeof garbage extends fc.Arbitrary<infer G> ? G : never;

function mbap(tid: number, unit: number, pdu: Buffer, length = pdu.length + 1): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid & 0xffff, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(length & 0xffff, 4);
  head[6] = unit;
  return Buffer.concat([head, pdu]);
}

/** The answer to one request (MBAP header + FC 3/4 read), damaged as `g` says. */
function answer(req: Buffer, g: Garbage): Buffer {
  const tid = req.length >= 2 ? req.readUInt16BE(0) : 0;
  const unit = req[6] ?? 1;
  const fn = req[7] ?? 3;
  const count = req.length >= 12 ? Math.min(req.readUInt16BE(10), 125) : 1;
  const regs = Buffer.alloc(2 * count);
  g.random.copy(regs, 0, 0, Math.min(regs.length, g.random.length));
  const good = mbap(tid, unit, Buffer.concat([Buffer.from([fn, 2 * count]), regs]));
  switch (g.kind) {
    case "random":
      return g.random;
    case "lying-length":
      return mbap(tid, unit, Buffer.concat([Buffer.from([fn, 2 * count]), regs]), g.length);
    case "other-tid":
      return mbap(tid + g.tidDelta, unit, Buffer.concat([Buffer.from([fn, 2 * count]), regs]));
    case "wrong-fc":
      return mbap(tid, unit, Buffer.concat([Buffer.from([g.fc, 2 * count]), regs]));
    case "byte-count":
      return mbap(tid, unit, Buffer.concat([Buffer.from([fn, g.count]), g.random.subarray(0, g.count)]));
    case "exception":
      return mbap(tid, unit, Buffer.from([fn | 0x80, g.fc]));
    case "truncated":
      return good.subarray(0, g.cut % good.length);
    case "trailing":
      return Buffer.concat([good, g.random]);
    case "twice":
      return Buffer.concat([good, good]);
    case "empty-pdu":
      return mbap(tid, unit, Buffer.alloc(0));
  }
}

export async function fuzzModbus(opts: FuzzOptions): Promise<TargetResult> {
  const r = newResult("modbus");
  const peer = await startDevice({ transport: "tcp", units: { "1": ac.unit } });
  const frames = inputs(garbage, opts.count, opts.seed);
  let proxyTo: number | undefined;
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (let i = 0; i < SERVERS; i += 1) {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      if (proxyTo !== undefined) {
        const upstream = connect(proxyTo, "127.0.0.1");
        upstream.on("error", () => socket.destroy());
        socket.pipe(upstream).pipe(socket);
        return;
      }
      socket.on("data", (req) => {
        if (proxyTo !== undefined) return socket.destroy();
        const next = frames.next();
        if (next.done) return socket.destroy();
        r.inputs += 1;
        socket.write(answer(req, next.value));
        if (next.value.hangUp) socket.end();
        if (r.inputs % 10_000 === 0) opts.log?.(`modbus: ${r.inputs} frames`);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
    servers.push(server);
  }
  const driver = createModbusDriver();
  const { profile } = loadProfileFile(profilePath(ac.profile));
  const options = { timeoutMs: 50, retries: 0, reconnectMinMs: 0, reconnectMaxMs: 20 };
  const devices: PreparedDevice[] = servers.map((s, i) => ({
    config: deviceSchema.parse({
      id: `ac-${i}`,
      name: "ac",
      class: "environment",
      driver: "modbus",
      address: `127.0.0.1:${(s.address() as { port: number }).port}`,
      profile: ac.profile,
    }),
    options: modbusOptionsSchema.parse(options),
    profile: profile!,
  }));
  const logger = createLogger("fuzz", { level: "silent" });
  const sessions = devices.map((d) => driver.open(d.config, d.options as never, { logger }));
  const stopCounting = countUncaught(r);
  const started = Date.now();
  try {
    await Promise.all(
      devices.map(async (d, i) => {
        while (r.inputs < opts.count) {
          const t0 = Date.now();
          try {
            await pollDevice(d, sessions[i]!, 5, Date.now);
          } catch (err) {
            r.crashes += 1;
            noteExample(r, `pollDevice threw: ${(err as Error).stack}`);
          }
          if (Date.now() - t0 > 4900) {
            r.hangs += 1;
            noteExample(r, `a poll took ${Date.now() - t0} ms`);
          }
        }
      }),
    );
    // The same sessions, now through to a real device: each must read it right within three polls.
    proxyTo = Number(peer.where);
    for (const s of sockets) s.destroy();
    const expected = Object.entries(ac.readings);
    for (const [i, d] of devices.entries()) {
      let ok = false;
      let last = "";
      for (let attempt = 0; attempt < 3 && !ok; attempt += 1) {
        const res = await pollDevice(d, sessions[i]!, 5, Date.now);
        const got = new Map(res.readings.map((x) => [seriesKey(x.name, x.labels), x.value]));
        ok = res.up && expected.every(([k, v]) => got.get(k) === v);
        last = res.error ?? JSON.stringify([...got].slice(0, 3));
      }
      r.after.push({ check: `session ${d.config.id} reads the pymodbus device correctly afterwards`, ok, ...(ok ? {} : { detail: last }) });
    }
  } finally {
    r.seconds = (Date.now() - started) / 1000;
    stopCounting();
    await Promise.all(sessions.map((s) => s.close()));
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    await peer.stop();
  }
  return r;
}
