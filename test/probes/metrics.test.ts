import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { node, type Proc, ROOT, tempDir, until } from "../harness/process.ts";
import { promtoolCheck, promtoolMissing } from "../peers/promtool.ts";
import { defaultDisplay, type PjlinkDisplay, startPjlinkDisplay } from "../peers/pjlink-server.ts";
import { type Sipp, sippMissing, startSipp } from "../peers/sipp.ts";
import { freeUdpPort } from "../peers/snmpsim.ts";

/** Every probe's readings on the agent's /metrics under their canonical names, and promtool accepts them. */
const skip = skipWithout(promtoolMissing() ?? sippMissing(), "probe readings on /metrics");

describe.skipIf(skip)("probe readings on /metrics", () => {
  let web: Server;
  let sipp: Sipp;
  let tile: PjlinkDisplay;
  let agent: Proc;
  let metricsUrl = "";

  beforeAll(async () => {
    web = createServer((_req, res) => res.writeHead(200).end("ok"));
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", () => r()));
    const webPort = (web.address() as AddressInfo).port;
    sipp = await startSipp({ port: await freeUdpPort(), transport: "u1", status: "200 OK" });
    tile = await startPjlinkDisplay(defaultDisplay({ cls: 2 }));
    const dir = tempDir("wf-probe-metrics-");
    const file = join(dir, "site.yaml");
    const dev = (id: string, cls: string, driver: string, address: string, profile: string, options = "{}") =>
      `  - { id: ${id}, name: ${id}, class: ${cls}, driver: ${driver}, address: "${address}", profile: ${profile}, interval: 1s, options: ${options} }`;
    writeFileSync(
      file,
      `site: { name: probes }
agent:
  id: probe-agent
  dataDir: ${join(dir, "agent")}
  profilesDir: ${join(ROOT, "config/profiles")}
  heartbeat: 1h
  collector: { url: "http://127.0.0.1:9/", token: unused }
devices:
${dev("web", "sms", "http", `http://127.0.0.1:${webPort}/`, "http-service", "{ text: ok }")}
${dev("link-tcp", "link", "tcp", `127.0.0.1:${webPort}`, "link-tcp")}
${dev("link-icmp", "link", "icmp", "127.0.0.1", "link-icmp", "{ count: 2 }")}
${dev("trunk", "trunk", "sip", `127.0.0.1:${sipp.port}`, "sip-trunk")}
${dev("wall", "display", "pjlink", `127.0.0.1:${tile.port}`, "pjlink-wall")}
`,
    );
    agent = node("watchfloor-agent.mjs", ["--config", file, "--listen", "127.0.0.1:0"]);
    metricsUrl = `${(await agent.waitFor(/listening on (http:\/\/[^\s]+)/))[1]}/metrics`;
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await sipp?.stop();
    await tile?.close();
    await new Promise((r) => web?.close(r));
  });

  it("canonical names for every probe, and promtool check metrics passes", async () => {
    const wanted = [
      'watchfloor_probe_success{device="web"} 1',
      'watchfloor_http_response_status_code{device="web"} 200',
      'watchfloor_probe_assertion_ok{device="web"} 1',
      'watchfloor_probe_success{device="link-tcp"} 1',
      'watchfloor_probe_degraded{device="link-icmp"} 0',
      'watchfloor_probe_packet_loss_ratio{device="link-icmp"} 0',
      'watchfloor_probe_rtt_seconds{device="link-icmp"}',
      'watchfloor_sip_options_status_code{device="trunk"} 200',
      'watchfloor_sip_options_answered{device="trunk"} 1',
      'watchfloor_probe_duration_seconds{device="trunk"}',
      'watchfloor_display_power_on{device="wall",tile="1"} 1',
      'watchfloor_display_error{device="wall",tile="1",component="lamp"} 0',
      'watchfloor_display_lamp_seconds{device="wall",tile="1",lamp="1"} 4442400',
      'watchfloor_display_input{device="wall",tile="1"} 31',
    ];
    const text = await until(
      "every probe polled",
      async () => {
        const t = await (await fetch(metricsUrl)).text();
        return wanted.every((w) => t.includes(w)) ? t : undefined;
      },
      15_000,
      200,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}\n${await (await fetch(metricsUrl)).text()}`);
    });
    const res = promtoolCheck(text);
    expect(res.output).toBe("");
    expect(res.status).toBe(0);
  });
});
