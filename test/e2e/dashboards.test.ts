/**
 * The shipped Grafana dashboard and Prometheus rules, against a real Prometheus scraping a real floor:
 * every panel's query and every rule's expression returns data. The floor is driven into the states
 * the alerts are for — a UPS on battery (pymodbus), a major fault near its response deadline, a
 * severe fault past its deadline, an agent that cannot deliver (outbox backlog), an event the agent
 * set aside, an agent Prometheus cannot reach — so a query that names a metric or label that does not
 * exist fails here.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { bareSite } from "../harness/bare-site.ts";
import { sendConditions } from "../harness/fault-record.ts";
import { Floor } from "../harness/floor.ts";
import { PymodbusUps } from "../harness/modbus-ups.ts";
import { freePort } from "../harness/ports.ts";
import { freeUdpPort } from "../peers/snmpsim.ts";
import { node, Proc, ROOT, tempDir, until } from "../harness/process.ts";

const RULES = join(ROOT, "dashboards/prometheus/watchfloor.rules.yml");
const DASHBOARD = join(ROOT, "dashboards/grafana/watchfloor-overview.json");

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every panel query of the dashboard, with Grafana's range variables given plain values. */
function panelQueries(): Array<{ what: string; expr: string }> {
  const out: Array<{ what: string; expr: string }> = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      walk(p.panels ?? []);
      for (const t of p.targets ?? [])
        if (t.expr)
          out.push({
            what: `panel "${p.title}"`,
            expr: t.expr.replace(/\$__(rate_interval|interval|range)/g, "5m"),
          });
    }
  };
  walk((JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Panel[] }).panels);
  return out;
}

/**
 * Alerts whose state this floor is not driven into, with why; for them the expression without its
 * threshold must return data (the series exists under that name and labels, at 0), and their firing is
 * tested by promtool's unit tests (watchfloor.rules.test.yml).
 */
const NOT_STAGED: Record<string, string> = {
  // Needs the kernel to drop datagrams on the trap socket: agent/drivers/snmp/udp-drops.test.ts.
  WatchfloorTrapsLost: "increase(watchfloor_agent_snmp_trap_kernel_drops_total[15m]) > 0",
  // Need a full disk under the agent's outbox / the collector's store: test/e2e/agent-disk-full.test.ts and
  // collector-disk-full.test.ts fill a tmpfs and check the counters these alert on.
  WatchfloorOutboxNotWritable: 'increase(watchfloor_agent_errors_total{component="outbox"}[5m]) > 0',
  WatchfloorStoreFailing: "increase(watchfloor_store_failures_total[5m]) > 0",
};

function ruleQueries(): Array<{ what: string; expr: string }> {
  const doc = parse(readFileSync(RULES, "utf8")) as {
    groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
  };
  return doc.groups.flatMap((g) =>
    g.rules.map((r) => {
      const expr = String(r.expr);
      if (r.alert && NOT_STAGED[r.alert] !== undefined) {
        // The test's list must follow the rules file: an edited expression is checked anew.
        if (expr !== NOT_STAGED[r.alert]) throw new Error(`${r.alert} changed: ${expr}; update NOT_STAGED`);
        return { what: `alert ${r.alert} (series, not staged)`, expr: expr.replace(/\s*>\s*0$/, "") };
      }
      return { what: r.alert ? `alert ${r.alert}` : `rule ${r.record}`, expr };
    }),
  );
}

describe("every dashboard query and rule expression returns data from a real Prometheus", () => {
  const ups = new PymodbusUps();
  let floor: Floor;
  let stuckAgent: Proc;
  let prometheus: Proc;
  let promUrl = "";

  const query = async (q: string) => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: unknown[] } };
    if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
    return body.data.result;
  };

  beforeAll(async () => {
    await ups.start();
    floor = new Floor({
      // A trap receiver, so the agent exports its kernel-drops counter.
      agentExtra: `  traps: { listen: "127.0.0.1:${await freeUdpPort()}" }`,
      devices: `  - { id: ups-1, name: 机房UPS, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:${ups.port}", profile: generic-ups-modbus, interval: 1s, options: { timeoutMs: 500 } }
  - { id: trunk-1, name: 语音中继, class: trunk, zone: server-room, criticality: high, driver: snmp, address: "127.0.0.1:9", profile: if-mib, interval: 1h }`,
    });
    await floor.startCollector();
    await floor.startAgent();
    // An agent whose collector is gone: its heartbeats pile up in the outbox.
    const stuckDir = tempDir("wf-stuck-");
    stuckAgent = node(
      "watchfloor-agent.mjs",
      ["--config", bareSite(stuckDir, { agentExtra: "  heartbeat: 50ms\n" }), "--listen", "127.0.0.1:0"],
      { env: { WATCHFLOOR_AGENT_TOKEN: "stuck" } },
    );
    const stuckUrl = (await stuckAgent.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
    const unreachableAgent = `127.0.0.1:${await freePort()}`;

    const dir = tempDir("wf-dash-");
    const host = (url: string) => new URL(url).host;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["${RULES}"]
scrape_configs:
  - job_name: watchfloor-agent
    static_configs: [{ targets: ["${host(floor.agentUrl)}", "${host(stuckUrl)}", "${unreachableAgent}"] }]
  - job_name: watchfloor-collector
    static_configs: [{ targets: ["${host(floor.collectorUrl)}"] }]
`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = new Proc("prometheus", [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    // The breach counters are scraped at 0 before anything breaches, as on a collector that runs for a while.
    await until(
      "Prometheus scrapes the collector twice",
      async () => (await query('count_over_time(up{job="watchfloor-collector"}[1m]) >= 2')).length > 0,
      30_000,
      500,
    );
    // WatchfloorEventsSetAside: an event the collector refuses (400), written into the running agent's
    // outbox as an older agent's disk might hold it; the agent sets it aside, and the counter, scraped at
    // 0 so far, rises. (The 5xx reason, collector_error, is test/e2e/outbox-poison.test.ts.)
    const agentTarget = new URL(floor.agentUrl).host;
    await until(
      "Prometheus scrapes the agent's set-aside counter at 0 twice",
      async () =>
        (await query(`count_over_time(watchfloor_outbox_rejected_events_total{instance="${agentTarget}",reason="malformed"}[1m]) >= 2`))
          .length > 0,
      30_000,
      500,
    );
    const outbox = new Outbox(join(floor.dir, "agent", "outbox.db"));
    outbox.append({ id: "agent-test-dash-bad-1", type: "condition", device: "ups-1", condition: "ups.on_battery", labels: {}, state: "firing", observedAt: "yesterday" } as never);
    outbox.close();
    await ups.cutMains();
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    await sendConditions(floor, [
      // Major (the policy's rule for trunk.down), observed 25 min ago: under 10 min left to respond.
      { device: "trunk-1", condition: "trunk.down", state: "firing", at: minutesAgo(25) },
      // Severe (ups.* on a high-criticality UPS), observed 3 h ago: its 2 h resolve deadline passed on arrival.
      { device: "ups-1", condition: "ups.bypass", state: "firing", at: minutesAgo(180) },
    ]);
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stuckAgent?.stop();
    await floor?.stop();
    await ups.stop();
  });

  const queries = [...panelQueries(), ...ruleQueries()];

  it("the dashboard and the rules file have queries to check", () => {
    expect(panelQueries().length).toBeGreaterThanOrEqual(9);
    expect(ruleQueries().length).toBeGreaterThanOrEqual(6);
  });

  it.each(queries)(
    "$what: $expr",
    async ({ expr }) => {
      const result = await until(
        `data for ${expr}`,
        async () => ((await query(expr)).length > 0 ? true : undefined),
        40_000,
        500,
      );
      expect(result).toBe(true);
    },
    60_000,
  );

  it("Prometheus evaluates every rule without error", async () => {
    const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    expect(rules.length).toBe(ruleQueries().length);
    for (const r of rules)
      expect({ rule: r.name, health: r.health, error: r.lastError ?? "" }).toEqual({
        rule: r.name,
        health: "ok",
        error: "",
      });
  });
});
