/**
 * Live readings on the fault page and the board card, read from an agent's /metrics: the agent's own
 * metrics code and HTTP server (agent/metrics.ts, agent/server.ts) serving readings as a poll sets them.
 * The end-to-end walk with snmpsim, a real agent process and chromium is readings-browser.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Gauge, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AgentMetrics } from "../../agent/metrics.ts";
import { buildAgentServer } from "../../agent/server.ts";
import { AgentMetricsReadings } from "../../collector/inspections/live-readings.ts";
import { conditionTranslated, labelTranslated } from "../../collector/http/ui/conditions.ts";
import { formatReading, readingDuration } from "../../collector/http/ui/reading-format.ts";
import { KEY_READINGS } from "../../collector/http/ui/readings.tsx";
import { ManualClock } from "../../common/clock.ts";
import { CANONICAL_READINGS } from "../../common/vocabulary.ts";
import { READING_LABELS } from "../../common/vocabulary-zh.ts";
import { ROOT } from "../harness/process.ts";
import { getPage, login, sendCondition, uiCollector, visibleText } from "./harness.ts";

type Reading = { name: string; labels: Record<string, string>; value: number };

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** The agent's /metrics with these readings per device; `broken` makes its registry fail (the agent answers 500). */
async function agent(devices: Record<string, Reading[]>, opts: { broken?: boolean } = {}) {
  const registry = new Registry();
  const metrics = new AgentMetrics(registry);
  for (const [device, readings] of Object.entries(devices)) {
    metrics.deviceUp.set({ device }, 1);
    metrics.setReadings(device, readings);
  }
  if (opts.broken)
    new Gauge({
      name: "watchfloor_broken",
      help: "a collect that throws",
      registers: [registry],
      collect() {
        throw new Error("sensor table broke");
      },
    });
  const server = buildAgentServer({ registry, readings: metrics.readings, health: () => ({}) });
  const url = `${await server.listen({ host: "127.0.0.1", port: 0 })}/metrics`;
  closers.push(() => server.close());
  return { url, metrics, close: () => server.close() };
}

const UPS_READINGS: Reading[] = [
  { name: "ups_on_battery", labels: {}, value: 1 },
  { name: "ups_output_source", labels: { source: "normal" }, value: 0 },
  { name: "ups_output_source", labels: { source: "battery" }, value: 1 },
  { name: "ups_battery_status", labels: { status: "normal" }, value: 1 },
  { name: "ups_battery_status", labels: { status: "low" }, value: 0 },
  { name: "ups_battery_charge_ratio", labels: {}, value: 0.87 },
  { name: "ups_battery_runtime_seconds", labels: {}, value: 1800 },
  { name: "ups_battery_temperature_celsius", labels: {}, value: 24.5 },
  { name: "ups_input_voltage_volts", labels: { line: "1" }, value: 0 },
  { name: "ups_output_load_ratio", labels: { line: "1" }, value: 0.42 },
];

async function collectorReading(urls: string[], opts: { timeoutMs?: number } = {}) {
  const clock = new ManualClock(Date.parse("2026-11-25T09:00:00+08:00"));
  const h = await uiCollector({
    site: true,
    clock,
    liveReadings: new AgentMetricsReadings(urls, clock, { cacheMs: 0, ...opts }),
  });
  closers.push(() => h.close());
  const { cookie } = await login(h.app, h.tokens.engineer);
  return { h, cookie };
}

/** Visible text without the space visibleText puts where a tag ended ("读数不可用</strong>："). */
const unspaced = (html: string) => visibleText(html).replace(/ ([：:])/g, "$1");

async function openFault(
  h: Awaited<ReturnType<typeof uiCollector>>,
  device: string,
  condition: string,
  labels = {},
) {
  await sendCondition(h, { device, condition, labels, observedAt: "2026-11-25T08:59:00+08:00" });
  return h.ctx.faults.liveFaults().find((f) => f.device === device && f.condition === condition)!.id;
}

describe("reading values as people read them", () => {
  it("durations: seconds in 毫秒, 秒, 分钟, 小时 and 天, two units at most", () => {
    expect(readingDuration(0.146, "zh")).toBe("146 毫秒");
    expect(readingDuration(45, "zh")).toBe("45 秒");
    expect(readingDuration(0, "zh")).toBe("0 秒");
    expect(readingDuration(1800, "zh")).toBe("30 分钟");
    expect(readingDuration(1830, "zh")).toBe("30 分钟 30 秒");
    expect(readingDuration(32640, "zh")).toBe("9 小时 4 分钟");
    expect(readingDuration(3 * 86400 + 2 * 3600 + 59, "zh")).toBe("3 天 2 小时");
    expect(readingDuration(32640, "en")).toBe("9 h 4 min");
  });

  it("units: ratio as %, °C, V, A, binary sizes, link speeds, flags and hours in words", () => {
    const f = (name: string, value: number, lang: "zh" | "en" = "zh") =>
      formatReading(READING_LABELS[name]!, value, lang);
    expect(f("ups_battery_charge_ratio", 0.87)).toBe("87 %");
    expect(f("humidity_ratio", 0.455)).toBe("45.5 %");
    expect(f("ups_battery_temperature_celsius", 24.5)).toBe("24.5 °C");
    expect(f("ups_battery_voltage_volts", 271.6)).toBe("271.6 V");
    expect(f("ups_output_current_amperes", 2.1)).toBe("2.1 A");
    expect(f("memory_total_bytes", 8 * 1024 ** 3)).toBe("8 GiB");
    expect(f("if_speed_bits_per_second", 1e9)).toBe("1 Gbit/s");
    expect(f("if_oper_up", 0)).toBe("离线");
    expect(f("if_oper_up", 1, "en")).toBe("up");
    expect(f("water_leak", 1)).toBe("漏水");
    expect(f("display_lamp_seconds", 1234 * 3600)).toBe("1,234 小时");
    expect(f("sip_options_status_code", 503)).toBe("503");
  });

  it("every label that tells instances apart (in the vocabulary or a shipped profile) has its words", () => {
    const keys = new Set<string>();
    // A one_hot's state label and an info's descriptive labels are values, not instance names.
    for (const [name, r] of Object.entries(CANONICAL_READINGS)) {
      const label = READING_LABELS[name];
      for (const k of r.labels ?? [])
        if (k !== label?.valueLabel && (label?.unit !== "info" || k === "tile")) keys.add(k);
    }
    const dir = join(ROOT, "config/profiles");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const profile = parse(readFileSync(join(dir, file), "utf8")) as {
        readings?: Array<{ labels?: Record<string, string>; source?: { labels?: Record<string, string> } }>;
      };
      for (const r of profile.readings ?? [])
        for (const k of [...Object.keys(r.labels ?? {}), ...Object.keys(r.source?.labels ?? {})]) keys.add(k);
    }
    expect([...keys].filter((k) => !labelTranslated(k))).toEqual([]);
  });

  it("every condition a shipped profile, inspection template or the collector raises has its words in both languages (no raw key on a card)", () => {
    const found = new Set<string>(["agent.down", "roster.missing", "device.unreachable", "manual", "inspection.abnormal"]);
    /** Condition names anywhere in a YAML document: conditions[].name, traps' and onAbnormal's condition. */
    const walk = (v: unknown, key?: string): void => {
      if (Array.isArray(v)) for (const x of v) walk(x, key);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (key === "conditions" && k === "name" && typeof x === "string") found.add(x);
          if (k === "condition" && typeof x === "string") found.add(x);
          walk(x, k === "name" ? key : k);
        }
    };
    for (const sub of ["config/profiles", "config/inspections"]) {
      const dir = join(ROOT, sub);
      for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
        const doc = parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
        walk(doc);
        for (const c of (doc.conditions as Array<{ name?: string }> | undefined) ?? []) if (c.name) found.add(c.name);
      }
    }
    expect(found.size).toBeGreaterThan(40);
    expect([...found].filter((c) => !conditionTranslated(c)).sort()).toEqual([]);
  });

  it("every key reading of a condition is a labelled canonical reading", () => {
    const unknown = Object.values(KEY_READINGS)
      .flat()
      .filter((n) => !READING_LABELS[n]);
    expect(unknown).toEqual([]);
  });
});

describe("the fault page's live readings", () => {
  it("shows the UPS's readings in Chinese with units, the key ones first, and the read time in Asia/Shanghai", async () => {
    const a = await agent({ "ups-1": UPS_READINGS });
    const { h, cookie } = await collectorReading([a.url]);
    const id = await openFault(h, "ups-1", "ups.on_battery");
    const page = await getPage(h.app, `/ui/faults/${id}`, cookie);
    expect(page.body).toContain(`hx-get="/ui/faults/${id}/readings"`);

    const res = await getPage(h.app, `/ui/faults/${id}/readings`, cookie);
    expect(res.statusCode).toBe(200);
    const text = visibleText(res.body);
    // The manual clock reads 2026-11-25 09:00:00 in Asia/Shanghai.
    expect(text).toContain("读取于 2026-11-25 09:00:00");
    // Key readings of ups.on_battery first: runtime, then charge; the rest folded below.
    expect(text).toMatch(/^ 实时读数 读取于 \S+ \S+ 电池剩余时间 30 分钟 电池电量 87 % 全部读数 \(7\) /);
    expect(text).toContain("输出电源 电池");
    expect(text).toContain("电池状态 正常");
    expect(text).toContain("电池温度 24.5 °C");
    expect(text).toContain("输入电压 线路 1 0 V");
    expect(text).toContain("输出负载 线路 1 42 %");
    expect(text).toContain("设备在线 在线");
    expect(text).not.toMatch(/ups_|_ratio|_seconds|watchfloor_/);

    const en = visibleText((await getPage(h.app, `/ui/faults/${id}/readings?lang=en`, cookie)).body);
    expect(en).toContain("battery runtime 30 min");
    expect(en).toContain("output source battery");
    expect(en).not.toMatch(/ups_|_ratio|_seconds|watchfloor_|[\u4e00-\u9fff]/);
  });

  it("reads only the device's own lines: ups-1 is not ups-10", async () => {
    const a = await agent({
      "ups-10": [{ name: "ups_battery_runtime_seconds", labels: {}, value: 60 }],
      "ups-1": [{ name: "ups_battery_runtime_seconds", labels: {}, value: 1800 }],
    });
    const { h, cookie } = await collectorReading([a.url]);
    const id = await openFault(h, "ups-1", "ups.on_battery");
    const key = visibleText((await getPage(h.app, `/ui/faults/${id}/readings/key`, cookie)).body);
    expect(key.trim()).toBe("电池剩余时间 30 分钟");
  });

  it("a switch port fault shows that port's readings, not the other 47 ports'", async () => {
    const ports = Array.from({ length: 48 }, (_, i) => `Gi1/0/${i + 1}`);
    const a = await agent({
      "sw-floor-1": [
        { name: "system_uptime_seconds", labels: {}, value: 86400 * 12 + 3600 * 5 },
        { name: "cpu_utilization_ratio", labels: {}, value: 0.07 },
        ...ports.flatMap((p, i) => [
          { name: "if_oper_up", labels: { ifname: p }, value: i === 6 ? 0 : 1 },
          { name: "if_in_errors_total", labels: { ifname: p }, value: i === 6 ? 1234 : 0 },
        ]),
      ],
    });
    const { h, cookie } = await collectorReading([a.url]);
    const id = await openFault(h, "sw-floor-1", "if.down", { ifname: "Gi1/0/7" });
    const text = visibleText((await getPage(h.app, `/ui/faults/${id}/readings`, cookie)).body);
    expect(text).toContain("端口状态 端口 Gi1/0/7 离线");
    expect(text).toContain("累计接收错误 端口 Gi1/0/7 1,234");
    expect(text).toContain("运行时长 12 天 5 小时");
    expect(text).toContain("CPU 利用率 7 %");
    expect(text).not.toContain("Gi1/0/8");
  });

  it("the board card of a UPS on battery carries its remaining runtime and charge", async () => {
    const a = await agent({ "ups-1": UPS_READINGS });
    const { h, cookie } = await collectorReading([a.url]);
    const id = await openFault(h, "ups-1", "ups.on_battery");
    const portId = await openFault(h, "sw-floor-1", "if.down", { ifname: "Gi1/0/7" });
    const board = await getPage(h.app, "/ui", cookie);
    expect(board.body).toContain(`hx-get="/ui/faults/${id}/readings/key"`);
    // A port fault has no reading that decides the next step: its card asks for none.
    expect(board.body).not.toContain(`/ui/faults/${portId}/readings/key`);
    const key = visibleText((await getPage(h.app, `/ui/faults/${id}/readings/key`, cookie)).body);
    expect(key.trim()).toBe("电池剩余时间 30 分钟 电池电量 87 %");
  });

  it("says 读数不可用 with the reason, never a 500: agent stopped, agent failing, agent hung, device not polled, none configured", async () => {
    const a = await agent({ "ups-1": UPS_READINGS });
    const { h, cookie } = await collectorReading([a.url], { timeoutMs: 300 });
    const id = await openFault(h, "ups-1", "ups.on_battery");
    const readings = async () => {
      const res = await getPage(h.app, `/ui/faults/${id}/readings`, cookie);
      expect(res.statusCode).toBe(200);
      return unspaced(res.body);
    };
    expect(await readings()).toContain("电池剩余时间 30 分钟");
    await a.close();
    expect(await readings()).toContain(`读数不可用：代理 ${a.url} 拒绝连接（ECONNREFUSED），代理可能未运行`);
    const key = await getPage(h.app, `/ui/faults/${id}/readings/key`, cookie);
    expect(key.statusCode).toBe(200);
    expect(visibleText(key.body)).toContain("读数不可用");
    expect(key.body).toContain("ECONNREFUSED");

    const broken = await agent({ "ups-1": UPS_READINGS }, { broken: true });
    const hung = await hungAgent();
    const other = await agent({ "ups-2": UPS_READINGS });
    for (const [urls, expected] of [
      [[broken.url], `读数不可用：代理 ${broken.url} 应答 HTTP 500`],
      [[hung], `读数不可用：代理 ${hung} 在 0.3 s 内无应答`],
      [[other.url], "读数不可用：代理的 /metrics 中没有此设备的读数"],
    ] as const) {
      const c = await collectorReading([...urls], { timeoutMs: 300 });
      const fid = await openFault(c.h, "ups-1", "ups.on_battery");
      const res = await getPage(c.h.app, `/ui/faults/${fid}/readings`, c.cookie);
      expect(res.statusCode).toBe(200);
      expect(unspaced(res.body)).toContain(expected);
    }

    const none = await uiCollector({ site: true });
    closers.push(() => none.close());
    const noneLogin = await login(none.app, none.tokens.engineer);
    const fid = await openFault(none, "ups-1", "ups.on_battery");
    const res = await getPage(none.app, `/ui/faults/${fid}/readings?lang=en`, noneLogin.cookie);
    expect(unspaced(res.body)).toContain(
      "Readings unavailable: collector.agentMetrics (the agents' /metrics URLs) is not configured",
    );
    expect((await getPage(none.app, "/ui/faults/F-nope/readings", noneLogin.cookie)).statusCode).toBe(404);
  });

  it("warns that the values are the last answered ones when the device stopped answering", async () => {
    const a = await agent({ "ups-1": UPS_READINGS });
    a.metrics.deviceUp.set({ device: "ups-1" }, 0);
    const { h, cookie } = await collectorReading([a.url]);
    const id = await openFault(h, "ups-1", "device.unreachable");
    const text = visibleText((await getPage(h.app, `/ui/faults/${id}/readings`, cookie)).body);
    expect(text).toContain("设备最近一次轮询无应答：以下是它最后一次应答时的读数");
    expect(text).toContain("设备在线 离线");
    // The board card of a UPS on battery whose card stopped answering: its runtime is not shown as if read now.
    const battery = await openFault(h, "ups-1", "ups.on_battery");
    const card = unspaced((await getPage(h.app, `/ui/faults/${battery}/readings/key`, cookie)).body);
    expect(card.trim()).toBe("设备无应答，最后读数： 电池剩余时间 30 分钟 电池电量 87 %");
  });
});

/** An agent that accepts the connection and never answers (a hung process): a plain TCP listener, as no real agent hangs on demand. */
async function hungAgent(): Promise<string> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  );
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
}
