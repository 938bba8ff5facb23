import { describe, expect, it } from "vitest";
import { LABEL_VALUE_MAX } from "../../common/wire.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { until } from "../harness/process.ts";
import { trapFloorMissing, useTrapFloor } from "../harness/trap-floor.ts";
import { linkDownTrapV3, upsOnBatteryTrapV2c } from "../peers/snmptrap.ts";

/**
 * Issue 12 #3: with the collector away, 250 linkDown traps carrying a 25 KB ifName each pile up in the
 * outbox; a 200-event batch of them is over the collector's 4 MB body limit. Before the fix the batch
 * got 413 forever and the UPS on-battery trap behind it never arrived. Real agent, real collector,
 * Debian's snmptrap.
 */
const skip = skipWithout(trapFloorMissing(), "oversized batch");

type Faults = { faults: Array<{ device: string; condition: string; labels: Record<string, string> }> };

async function agentMetric(agentUrl: string, series: RegExp): Promise<number> {
  const m = await fetch(`${agentUrl}/metrics`).then((r) => r.text());
  return Number(series.exec(m)?.[1] ?? 0);
}
const pendingEvents = (agentUrl: string) => agentMetric(agentUrl, /^watchfloor_outbox_pending_events (\d+)/m);

describe.skipIf(skip)("an outbox of huge events still drains, and the event behind them arrives", () => {
  // 250 traps in a few seconds: above the default per-source limit, which is not what this tests.
  const env = useTrapFloor({ trapRateLimit: { perSecond: 1000, burst: 1000 } });

  it("250 linkDown traps with a 25 KB ifName (link aggregations: monitored ports), then upsTrapOnBattery: all arrive after the outage", async () => {
    await env.floor.collector!.stop("SIGKILL");
    const before = await pendingEvents(env.floor.agentUrl);
    const names = Array.from({ length: 250 }, (_, i) => `Eth-Trunk${i}-${"x".repeat(25_000)}`);
    for (let i = 0; i < names.length; i += 10)
      await Promise.all(
        // ifIndex values the switch does not have: a trap whose index the polls know is named as the
        // polls name that port (and a seat port's opens nothing), which is not what this tests.
        names.slice(i, i + 10).map((name, j) => linkDownTrapV3(env.trapPort, 1000 + i + j, name)),
      );
    await upsOnBatteryTrapV2c(env.trapPort, "watchfloor-ups");
    await until(
      "every trap turned into a condition",
      async () => {
        // A trap the kernel dropped (receive buffer full under load) would never arrive: say so at once.
        const dropped = await agentMetric(env.floor.agentUrl, /^watchfloor_agent_snmp_trap_kernel_drops_total (\d+)/m);
        if (dropped > 0) throw new Error(`the kernel dropped ${dropped} trap datagrams before the agent read them`);
        return (
          (await agentMetric(env.floor.agentUrl, /^watchfloor_agent_snmp_traps_total\{outcome="condition"\} (\d+)/m)) >=
          251
        );
      },
      20_000,
    );
    await until(
      "every trap in the outbox",
      async () => (await pendingEvents(env.floor.agentUrl)) >= before + 251,
      20_000,
    );

    await env.floor.startCollector();
    const onBattery = await until(
      "ups.on_battery behind the big events",
      async () =>
        (await env.floor.api<Faults>("/api/v1/faults")).body.faults.find(
          (f) => f.device === "ups-9" && f.condition === "ups.on_battery",
        ),
      90_000, // the agent's backoff reaches 30 s during the outage
      250,
    );
    expect(onBattery).toBeDefined();
    const down = (await env.floor.api<Faults>("/api/v1/faults")).body.faults.filter(
      (f) => f.condition === "if.down",
    );
    expect(down).toHaveLength(250);
    for (const f of down) {
      // Truncated at the agent, with the marker, and still told apart.
      expect(f.labels.ifname!.length).toBeLessThanOrEqual(LABEL_VALUE_MAX);
      expect(f.labels.ifname).toMatch(/…\[truncated [0-9a-f]{8}\]$/);
    }
    expect(new Set(down.map((f) => f.labels.ifname)).size).toBe(250);
    expect(down.map((f) => f.labels.ifname!.slice(0, 12)).sort()).toContain("Eth-Trunk17-");
    await until("outbox drained", async () => (await pendingEvents(env.floor.agentUrl)) === 0, 10_000);
  }, 180_000);
});
