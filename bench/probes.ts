/**
 * bench:probes — probes per second per core (probes ÷ CPU seconds of the prober) for the SIP OPTIONS,
 * HTTP, TCP connect and ICMP probes, each run one after another against a peer on loopback, beside the
 * same check done by a real client where Debian has one: sipp as a UAC sending OPTIONS (against the
 * same sipp UAS) and curl fetching the same URL on a fresh connection each time (Connection: close).
 * The servers run in their own processes, so only the prober's CPU is counted: ours from
 * process.cpuUsage() plus reaped children (ping), the peers' from their shell's cutime/cstime.
 *
 *   npm run bench:probes              # 2 s per probe kind
 *   BENCH_SECONDS=5 npm run bench:probes
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeHttp } from "../agent/drivers/http/driver.ts";
import { httpOptionsSchema } from "../agent/drivers/http/options.ts";
import { probeIcmp } from "../agent/drivers/icmp/driver.ts";
import { icmpOptionsSchema } from "../agent/drivers/icmp/options.ts";
import { probeSip } from "../agent/drivers/sip/driver.ts";
import { sipOptionsSchema } from "../agent/drivers/sip/options.ts";
import { probeTcp } from "../agent/drivers/tcp/driver.ts";
import { tcpOptionsSchema } from "../agent/drivers/tcp/options.ts";
import type { DeviceConfig } from "../common/config/schema.ts";
import { tempDir } from "../test/harness/process.ts";
import { startSipp } from "../test/peers/sipp.ts";
import { freeUdpPort } from "../test/peers/snmpsim.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const TICK = 100; // getconf CLK_TCK on Linux

/** CPU seconds of this process and of the children it has reaped (the ping processes). */
function cpuNow(): number {
  const u = process.cpuUsage();
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const children = (Number(fields[13]) + Number(fields[14])) / TICK; // cutime, cstime
  return (u.user + u.system) / 1e6 + children;
}

interface Figure {
  probes: number;
  wall: number;
  cpu: number;
}

async function ours(probe: () => Promise<{ success?: number }>): Promise<Figure> {
  await probe(); // warm up: code loaded, JIT
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let probes = 0;
  while (performance.now() - t0 < SECONDS * 1000) {
    const f = await probe();
    if (f.success !== 1) throw new Error(`probe failed during the bench: ${JSON.stringify(f)}`);
    probes++;
  }
  return { probes, wall: (performance.now() - t0) / 1000, cpu: cpuNow() - cpu0 };
}

/** Runs a peer under sh and reads the CPU sh's children used (cutime + cstime) from sh's own stat. */
function peer(command: string): Figure & { output: string } {
  const t0 = performance.now();
  const out = execFileSync("sh", ["-c", `${command} >/tmp/wf-bench-peer.out 2>&1; cat /proc/$$/stat`], { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  const fields = out.slice(out.lastIndexOf(")") + 2).split(" ");
  return { probes: 0, wall, cpu: (Number(fields[13]) + Number(fields[14])) / TICK, output: readFileSync("/tmp/wf-bench-peer.out", "utf8") };
}

const perCore = (f: Figure) => f.probes / Math.max(f.cpu, 1e-9);
const line = (name: string, f: Figure) =>
  `${name.padEnd(34)} ${String(f.probes).padStart(6)} probes  ${(f.probes / f.wall).toFixed(0).padStart(6)}/s wall  ${perCore(f).toFixed(0).padStart(7)}/s per core  ${((f.cpu / f.probes) * 1e6).toFixed(0).padStart(6)} µs CPU each`;

const device = (address: string) => ({ address }) as DeviceConfig;
const results: string[] = [];

// A plain HTTP server in its own process (its CPU is not ours), closing every connection like curl's.
const dir = tempDir("wf-bench-probes-");
writeFileSync(
  join(dir, "server.mjs"),
  `import { createServer } from "node:http";
const s = createServer((req, res) => res.writeHead(200, { connection: "close" }).end("ok"));
s.listen(0, "127.0.0.1", () => console.log(s.address().port));`,
);
const server = spawn(process.execPath, [join(dir, "server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
const httpPort = Number(await new Promise<string>((r) => server.stdout!.once("data", (d: Buffer) => r(d.toString().trim()))));
const url = `http://127.0.0.1:${httpPort}/`;

try {
  const http = await ours(() => probeHttp(device(url), httpOptionsSchema.parse({ text: "ok" }), new AbortController().signal));
  results.push(line("http: watchfloor (fresh connection)", http));
  const n = Math.max(200, Math.round(http.probes));
  const curl = peer(`curl -s -o /dev/null -H 'Connection: close' ${Array(n).fill(url).join(" ")}`);
  curl.probes = n;
  results.push(line("http: curl (one process, N URLs)", curl));
  const curlEach = peer(`for i in $(seq 200); do curl -s -o /dev/null ${url}; done`);
  curlEach.probes = 200;
  results.push(line("http: curl (one process per check)", curlEach));
  results.push(`  ratio watchfloor/curl per core: ×${(perCore(http) / perCore(curl)).toFixed(2)} (one process), ×${(perCore(http) / perCore(curlEach)).toFixed(2)} (process per check)`);

  const tcp = await ours(() => probeTcp(device(`127.0.0.1:${httpPort}`), tcpOptionsSchema.parse({}), new AbortController().signal));
  results.push(line("tcp connect: watchfloor", tcp));

  const icmp = await ours(() => probeIcmp(device("127.0.0.1"), icmpOptionsSchema.parse({ count: 1 }), new AbortController().signal));
  results.push(line("icmp (1 echo/burst): watchfloor+ping", icmp));
  const ping = peer("for i in $(seq 100); do ping -n -q -c 1 -W 1 127.0.0.1; done");
  ping.probes = 100;
  results.push(line("icmp: ping alone (process per check)", ping));
  results.push(`  ratio watchfloor/ping per core: ×${(perCore(icmp) / perCore(ping)).toFixed(2)}`);
} finally {
  server.kill();
}

const sipPort = await freeUdpPort();
const uas = await startSipp({ port: sipPort, transport: "u1", status: "200 OK" });
try {
  const sip = await ours(() => probeSip(device(`127.0.0.1:${sipPort}`), sipOptionsSchema.parse({}), new AbortController().signal));
  results.push(line("sip OPTIONS udp: watchfloor", sip));
  const uac = join(dir, "uac.xml");
  writeFileSync(
    uac,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="OPTIONS UAC">
  <send retrans="500"><![CDATA[
      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench@[local_ip]>;tag=[pid]Bench[call_number]
      To: <sip:[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" />
</scenario>
`,
  );
  const n = Math.max(500, Math.round(sip.probes));
  const sipp = peer(`sipp -sf ${uac} -i 127.0.0.1 -p ${await freeUdpPort()} -t u1 -m ${n} -r 2000 -l 1 -nostdin 127.0.0.1:${sipPort}`);
  sipp.probes = n;
  results.push(line("sip OPTIONS udp: sipp UAC (1 at a time)", sipp));
  results.push(`  ratio watchfloor/sipp per core: ×${(perCore(sip) / perCore(sipp)).toFixed(2)}`);
} finally {
  await uas.stop();
}

console.log(`bench:probes — ${SECONDS} s per probe kind, sequential, loopback\n`);
for (const r of results) console.log(r);
