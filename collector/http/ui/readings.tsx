/**
 * Live readings of a fault's device, from the agents' /metrics (collector.agentMetrics): on the fault
 * page (the readings that matter for its condition first, the rest folded) and, where one reading
 * decides what to do next (the UPS's remaining runtime), on the board card. Both load as htmx fragments
 * after the page, so an agent that does not answer slows nothing; they say "读数不可用" and why.
 */
import type { Fault } from "../../domain/index.ts";
import type { DeviceReadings, Sample } from "../../inspections/live-readings.ts";
import { READING_LABELS } from "../../../common/vocabulary-zh.ts";
import { Time } from "./format.tsx";
import { raw } from "./jsx/jsx-runtime.ts";
import type { Lang, Words } from "./i18n.ts";
import { onSession, sendFragment, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";
import { type ReadingRow, readingRows } from "./reading-format.ts";

const UPS_BATTERY = ["ups_battery_runtime_seconds", "ups_battery_charge_ratio"];

/** Per condition, the readings that decide what to do next: on the board card, and first on the page. */
export const KEY_READINGS: Readonly<Record<string, readonly string[]>> = {
  "ups.on_battery": UPS_BATTERY,
  "ups.battery_low": UPS_BATTERY,
  "ups.battery_depleted": UPS_BATTERY,
  // On bypass the load runs on raw mains: how loaded it is, and whether the battery could take it back.
  "ups.bypass": ["ups_output_load_ratio", "ups_battery_runtime_seconds"],
  "ups.overload": ["ups_output_load_ratio"],
  "env.temperature_high": ["temperature_celsius"],
  "env.temperature_low": ["temperature_celsius"],
  "env.humidity_high": ["humidity_ratio"],
  "device.temperature_high": ["sensor_temperature_celsius"],
  "device.cpu_high": ["cpu_utilization_ratio"],
  "host.memory_high": ["memory_utilization_ratio"],
  "pdu.overload": ["pdu_current_amperes"],
  "pdu.near_overload": ["pdu_current_amperes"],
  "link.down": ["probe_packet_loss_ratio", "probe_rtt_seconds"],
};

/** A family with at most this many instances is shown whole (a UPS's three lines, a probe's sensors). */
const SMALL_FAMILY = 4;

function instanceKey(s: Sample): string {
  const valueLabel = READING_LABELS[s.name]?.valueLabel;
  return JSON.stringify(
    Object.entries(s.labels)
      .filter(([k]) => k !== valueLabel)
      .sort(),
  );
}

/**
 * The samples that belong to this fault: device-wide ones; instances of what failed (a sample sharing a
 * label with the fault, e.g. its port, is shown when every shared label matches); and whole families
 * that are small. A 48-port switch's other ports stay out.
 */
export function samplesFor(
  f: Pick<Fault, "labels">,
  samples: readonly Sample[],
): { matched: Sample[]; rest: Sample[] } {
  const instances = new Map<string, Set<string>>();
  for (const s of samples) {
    const set = instances.get(s.name) ?? new Set<string>();
    instances.set(s.name, set);
    set.add(instanceKey(s));
  }
  const faultLabels = f.labels ?? {};
  const matched: Sample[] = [];
  const rest: Sample[] = [];
  for (const s of samples) {
    const valueLabel = READING_LABELS[s.name]?.valueLabel;
    const keys = Object.keys(s.labels).filter((k) => k !== valueLabel);
    const shared = keys.filter((k) => Object.hasOwn(faultLabels, k));
    if (shared.length > 0) {
      if (shared.every((k) => s.labels[k] === faultLabels[k])) matched.push(s);
    } else if (keys.length === 0 || (instances.get(s.name)?.size ?? 0) <= SMALL_FAMILY) rest.push(s);
  }
  return { matched, rest };
}

/** Why there is nothing to show, in the viewer's language; undefined when there is. */
export function unavailableReason(r: DeviceReadings | undefined, lang: Lang): string | undefined {
  const zh = lang === "zh";
  if (!r)
    return zh
      ? "未配置 collector.agentMetrics（代理的 /metrics 地址），收集器无处读取设备读数"
      : "collector.agentMetrics (the agents' /metrics URLs) is not configured, so there is nowhere to read from";
  if (r.samples.length > 0) return undefined;
  if (r.failures.length === 0)
    return zh
      ? "代理的 /metrics 中没有此设备的读数（设备不由这些代理轮询，或尚未完成首次轮询）"
      : "no agent's /metrics has readings of this device (not polled by these agents, or not polled yet)";
  return r.failures
    .map((f) => {
      switch (f.kind) {
        case "refused":
          return zh
            ? `代理 ${f.source} 拒绝连接（${f.detail}），代理可能未运行`
            : `agent ${f.source} refused the connection (${f.detail}); it may not be running`;
        case "timeout":
          return zh
            ? `代理 ${f.source} 在 ${f.detail} 内无应答`
            : `agent ${f.source} did not answer within ${f.detail}`;
        case "http":
          return zh
            ? `代理 ${f.source} 应答 HTTP ${f.detail}`
            : `agent ${f.source} answered HTTP ${f.detail}`;
        default:
          return zh
            ? `无法读取代理 ${f.source}（${f.detail}）`
            : `agent ${f.source} could not be read (${f.detail})`;
      }
    })
    .join(zh ? "；" : "; ");
}

/** The agent's last poll of the device got no answer: the readings it still serves are the last answered ones. */
function deviceDown(r: DeviceReadings): boolean {
  return r.samples.some((s) => s.name === "device_up" && s.value === 0);
}

async function readDevice(deps: UiDeps, device: string): Promise<DeviceReadings | undefined> {
  if (!deps.liveReadings) return undefined;
  try {
    return await deps.liveReadings.device(device);
  } catch (err) {
    // Never a 500 for a reading: the page says what went wrong.
    return {
      at: deps.clock.now(),
      samples: [],
      failures: [{ source: "/metrics", kind: "error", detail: String(err) }],
      asked: 0,
    };
  }
}

function Rows(p: { rows: ReadingRow[] }) {
  return (
    <dl class="pairs readings">
      {p.rows.map((r) => [
        <dt>{r.label}</dt>,
        <dd data-reading={r.name}>
          {r.values.map((v) => (
            <span class="reading-value">
              {v.instance ? <span class="instance">{v.instance}</span> : null}
              {v.instance ? ` ${v.text}` : v.text}
            </span>
          ))}
        </dd>,
      ])}
    </dl>
  );
}

function Unavailable(p: { reason: string; v: Viewer }) {
  return (
    <p class="readings-unavailable" role="status">
      <strong>{p.v.w.readingsUnavailable}</strong>
      {`${p.v.lang === "zh" ? "：" : ": "}${p.reason}`}
    </p>
  );
}

/** The fault page's readings section (its inner part: htmx swaps it in every 30 s). */
function FaultReadings(p: { f: Fault; r: DeviceReadings | undefined; v: Viewer; deps: UiDeps }) {
  const { f, r, v } = p;
  const heading = <h2>{v.w.readings}</h2>;
  const reason = unavailableReason(r, v.lang);
  if (!r || reason)
    return (
      <>
        {heading}
        <Unavailable reason={reason ?? ""} v={v} />
      </>
    );
  const keyNames = KEY_READINGS[f.condition] ?? [];
  const key = new Set(keyNames);
  const { matched, rest } = samplesFor(f, r.samples);
  const first = readingRows([...matched, ...rest.filter((s) => key.has(s.name))], v.lang, keyNames);
  const others = readingRows(
    rest.filter((s) => !key.has(s.name)),
    v.lang,
  );
  const down = deviceDown(r);
  // Nothing singled out and a short list: show it all; otherwise the rest folds under "全部读数".
  const open = first.length === 0 && others.length <= 8;
  return (
    <>
      {heading}
      <p class="read-at muted">
        {`${v.w.readAt} `}
        <Time at={r.at} tz={p.deps.policy.timezone} />
      </p>
      {down ? <p class="error">{v.w.staleReadings}</p> : null}
      {first.length > 0 ? <Rows rows={first} /> : null}
      {others.length === 0 ? null : open ? (
        <Rows rows={others} />
      ) : (
        <details class="all-readings">
          <summary>{`${v.w.allReadings} (${others.length})`}</summary>
          <Rows rows={others} />
        </details>
      )}
    </>
  );
}

/** The placeholder the fault page renders; htmx fills it at once and every 30 s. */
export function ReadingsSection(p: { f: Fault; v: Viewer }) {
  return (
    <section
      id="readings"
      hx-get={`/ui/faults/${encodeURIComponent(p.f.id)}/readings`}
      hx-trigger="load, every 30s"
      hx-swap="innerHTML"
    >
      <h2>{p.v.w.readings}</h2>
      <p class="muted">{p.v.w.loadingReadings}</p>
    </section>
  );
}

/**
 * On a board card, for conditions with key readings: a line htmx fills after the board loads. Several
 * instances read as values in label order ("输出负载 2 % / 14 % / 2 %"); the fault page names them.
 */
export function CardReadings(p: { f: Fault }) {
  if (!KEY_READINGS[p.f.condition]) return raw("");
  return (
    <p
      class="live-readings"
      hx-get={`/ui/faults/${encodeURIComponent(p.f.id)}/readings/key`}
      hx-trigger="load, every 60s"
      hx-swap="innerHTML"
    ></p>
  );
}

function KeyReadings(p: { f: Fault; r: DeviceReadings | undefined; lang: Lang; w: Words }) {
  const reason = unavailableReason(p.r, p.lang);
  if (!p.r || reason)
    return (
      <span class="readings-unavailable" title={reason}>
        {p.w.readingsUnavailable}
      </span>
    );
  const keyNames = KEY_READINGS[p.f.condition] ?? [];
  const { matched, rest } = samplesFor(p.f, p.r.samples);
  const rows = readingRows(
    [...matched, ...rest].filter((s) => keyNames.includes(s.name)),
    p.lang,
    keyNames,
  );
  // A UPS card whose network card stopped answering must not show its last runtime as if read now.
  return (
    <>
      {deviceDown(p.r) ? (
        <span class="readings-unavailable" title={p.w.staleReadings}>
          {p.w.staleShort}
        </span>
      ) : null}
      {rows.map((row) => (
        <span class="key-reading" data-reading={row.name}>
          {`${row.label} ${row.values.map((x) => x.text).join(" / ")}`}
        </span>
      ))}
    </>
  );
}

type Params = { Params: { id: string } };

export async function readingPages(scope: UiScope, deps: UiDeps): Promise<void> {
  scope.get<Params>("/ui/faults/:id/readings", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const f = await deps.faults.fault(req.params.id);
    if (!f) return reply.code(404).type("text/html; charset=utf-8").send(v.w.faultNotFound);
    const r = await readDevice(deps, f.device);
    return sendFragment(reply, <FaultReadings f={f} r={r} v={v} deps={deps} />);
  });

  scope.get<Params>("/ui/faults/:id/readings/key", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const f = await deps.faults.fault(req.params.id);
    if (!f) return reply.code(404).type("text/html; charset=utf-8").send(v.w.faultNotFound);
    const r = await readDevice(deps, f.device);
    return sendFragment(reply, <KeyReadings f={f} r={r} lang={v.lang} w={v.w} />);
  });
}
