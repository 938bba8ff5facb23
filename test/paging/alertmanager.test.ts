/**
 * A real Debian prometheus-alertmanager posts to the collector's receiver: an alert pushed to its API
 * v2 opens a fault (and pages on-call); the alert resolving resolves the fault.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../common/clock.ts";
import { freePort } from "../harness/ports.ts";
import { Proc, tempDir, until } from "../harness/process.ts";
import { AM_TOKEN, notifications, pagingCollector } from "./harness.ts";
import { Receiver } from "./receiver.ts";

describe("Alertmanager → collector receiver (real prometheus-alertmanager)", () => {
  let am: Proc;
  let dir: string;
  let amUrl: string;
  let h: Awaited<ReturnType<typeof pagingCollector>>;
  const hook = new Receiver();

  beforeAll(async () => {
    const hookUrl = await hook.start();
    h = await pagingCollector({
      clock: systemClock,
      notifications: notifications(
        { hook: hookUrl },
        { major: { steps: [{ after: 0, notify: ["oncall"] }] } },
      ),
    });
    const collectorUrl = await h.app.listen({ host: "127.0.0.1", port: 0 });
    dir = tempDir("wf-alertmanager-");
    const config = join(dir, "alertmanager.yml");
    writeFileSync(
      config,
      [
        "route:",
        "  receiver: watchfloor",
        "  group_by: [alertname, instance]",
        "  group_wait: 0s",
        "  group_interval: 1s",
        "  repeat_interval: 1h",
        "receivers:",
        "  - name: watchfloor",
        "    webhook_configs:",
        `      - url: ${collectorUrl}/api/v1/alertmanager`,
        "        send_resolved: true",
        "        http_config:",
        "          authorization:",
        `            credentials: ${AM_TOKEN}`,
      ].join("\n"),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = new Proc("/usr/bin/prometheus-alertmanager", [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ]);
    await until("alertmanager ready", async () => (await fetch(`${amUrl}/-/ready`)).ok || undefined, 20_000);
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    await h?.close();
    await hook.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const push = (endsAt?: string) =>
    fetch(`${amUrl}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        {
          labels: { alertname: "LinkDown", instance: "gw-1", class: "major", ifname: "ge0" },
          annotations: { summary: "外网链路中断" },
          startsAt: startsAt,
          ...(endsAt ? { endsAt } : {}),
        },
      ]),
    });
  const startsAt = new Date(Date.now() - 5000).toISOString();

  it("a firing alert opens a fault classed by its label and pages on-call; its resolution resolves the fault", async () => {
    expect((await push()).status).toBe(200);
    const fault = await until(
      "fault from alertmanager",
      () => h.ctx.faults.liveFaults().find((f) => f.condition === "alert.LinkDown"),
      15_000,
    );
    expect(fault).toMatchObject({
      device: "gw-1",
      class: "major",
      title: "外网链路中断",
      labels: { ifname: "ge0" },
      openedAt: Date.parse(startsAt),
    });
    await hook.received(1, 15_000);
    expect(JSON.parse(hook.requests[0]!.body).title).toBe("[重大] 新故障 · 外网链路中断 (gw-1)");

    expect((await push(new Date().toISOString())).status).toBe(200);
    await until(
      "fault resolved",
      () => h.ctx.faults.liveFault(fault.id)?.status === "resolved" || undefined,
      15_000,
    );
    // Alertmanager's posts are recorded like agent events, by the agent id its token belongs to.
    const sources = h.store.sqlite!.prepare("SELECT agent, type FROM events WHERE type = 'alertmanager'").all();
    expect(sources).toEqual([
      { agent: "alertmanager", type: "alertmanager" },
      { agent: "alertmanager", type: "alertmanager" },
    ]);
  }, 60_000);
});
