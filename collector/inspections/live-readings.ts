/**
 * The latest live readings of a device: for pre-filling an inspection item (the inspector confirms it)
 * and for the web UI's fault page and board cards. The collector holds no readings itself; the agents
 * export them on /metrics as `watchfloor_<reading>{device="…",…}`, so it reads the agents' /metrics
 * (collector.agentMetrics), at most once per `cacheMs`, each fetch bounded by a timeout. An agent that
 * does not answer leaves the item empty and the page says why; nothing waits on it for long.
 */
import type { Clock } from "../../common/clock.ts";

export interface LiveReading {
  value: number;
  /** When it was read (the scrape), ms. */
  at: number;
  /** The /metrics URL it came from. */
  source: string;
}

/** Why an agent's /metrics gave nothing: refused (nobody listens), timeout, an HTTP status, another error. */
export interface ScrapeFailure {
  source: string;
  kind: "refused" | "timeout" | "http" | "error";
  /** The error code, the HTTP status, how long it waited ("2 s") or the message. */
  detail: string;
}

/** Every sample one device has on the agents' /metrics, and which agents could not be read. */
export interface DeviceReadings {
  /** When the agents were read, ms. */
  at: number;
  /** The device's samples, names without the `watchfloor_` prefix, labels without `device`. */
  samples: Sample[];
  failures: ScrapeFailure[];
  /** How many /metrics URLs were asked. */
  asked: number;
}

export interface LiveReadings {
  latest(device: string, reading: string, labels: Record<string, string>): Promise<LiveReading | undefined>;
  device(device: string): Promise<DeviceReadings>;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of the Prometheus text exposition format (comments and malformed lines skipped). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    let i = m[0].length;
    if (m[2]) {
      // name="value" pairs; values escape \\ \" and \n.
      for (;;) {
        while (line[i] === "," || line[i] === " ") i++;
        if (line[i] === "}") {
          i++;
          break;
        }
        const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
        if (!key || line[i + key[0].length] !== "=" || line[i + key[0].length + 1] !== '"') {
          i = -1;
          break;
        }
        i += key[0].length + 2;
        let value = "";
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\") {
            const next = line[i + 1];
            value += next === "n" ? "\n" : (next ?? "");
            i += 2;
          } else value += line[i++];
        }
        if (i >= line.length) {
          i = -1;
          break;
        }
        i++;
        labels[key[0]] = value;
      }
      if (i < 0) continue;
    }
    const rest = line.slice(i).trim().split(/\s+/);
    const value =
      rest[0] === "+Inf"
        ? Number.POSITIVE_INFINITY
        : rest[0] === "-Inf"
          ? Number.NEGATIVE_INFINITY
          : Number(rest[0]);
    if (rest[0] === undefined || rest[0] === "" || Number.isNaN(value)) continue;
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

const PREFIX = "watchfloor_";

interface Scrape {
  at: number;
  /** Each answering agent's exposition, kept as text: only the lines of a device asked for are parsed. */
  texts: Array<{ source: string; text: string }>;
  failures: ScrapeFailure[];
  byDevice: Map<string, Array<Sample & { source: string }>>;
}

/** The failure of one fetch, in words a page can show. */
function failureOf(source: string, err: unknown, timeoutMs: number): ScrapeFailure {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError")
    return { source, kind: "timeout", detail: `${timeoutMs / 1000} s` };
  const code = e.cause?.code;
  if (code === "ECONNREFUSED") return { source, kind: "refused", detail: code };
  return { source, kind: "error", detail: code ?? e.cause?.message ?? e.message ?? String(err) };
}

/** The exposition's lines that contain `needle` (found by indexOf: no split of a 10 MB text). */
function linesWith(text: string, needle: string): string[] {
  const out: string[] = [];
  for (let i = text.indexOf(needle); i !== -1; ) {
    const end = text.indexOf("\n", i);
    out.push(text.slice(text.lastIndexOf("\n", i) + 1, end === -1 ? text.length : end));
    if (end === -1) break;
    i = text.indexOf(needle, end);
  }
  return out;
}

/** A label value as the exposition format writes it. */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class AgentMetricsReadings implements LiveReadings {
  private cache: Scrape | undefined;
  private inflight: Promise<Scrape> | undefined;

  constructor(
    private urls: readonly string[],
    private clock: Clock,
    private opts: { timeoutMs?: number; cacheMs?: number } = {},
  ) {}

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 2000;
  }

  private async fetchOne(url: string): Promise<{ text?: string; failure?: ScrapeFailure }> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) {
        await res.body?.cancel();
        return { failure: { source: url, kind: "http", detail: String(res.status) } };
      }
      return { text: await res.text() };
    } catch (err) {
      return { failure: failureOf(url, err, this.timeoutMs) };
    }
  }

  private async scrape(): Promise<Scrape> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < (this.opts.cacheMs ?? 10_000)) return this.cache;
    this.inflight ??= Promise.all(this.urls.map((url) => this.fetchOne(url)))
      .then((results) => {
        this.cache = {
          at: now,
          texts: results.flatMap((r, i) =>
            r.text === undefined ? [] : [{ source: this.urls[i]!, text: r.text }],
          ),
          failures: results.flatMap((r) => (r.failure ? [r.failure] : [])),
          byDevice: new Map(),
        };
        return this.cache;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /**
   * A device's samples of the scrape, parsed once per scrape from only its own lines: an agent with
   * 500 switches exports ~14 MB, which takes ~0.5 s to parse whole and blocks the collector meanwhile.
   */
  private samplesOf(scrape: Scrape, device: string): Array<Sample & { source: string }> {
    let samples = scrape.byDevice.get(device);
    if (samples) return samples;
    const needle = `device="${escapeLabelValue(device)}"`;
    samples = scrape.texts.flatMap(({ source, text }) =>
      parseExposition(linesWith(text, needle).join("\n"))
        .filter((s) => s.labels.device === device)
        .map((s) => ({ ...s, source })),
    );
    scrape.byDevice.set(device, samples);
    return samples;
  }

  async latest(
    device: string,
    reading: string,
    labels: Record<string, string>,
  ): Promise<LiveReading | undefined> {
    const name = PREFIX + reading;
    const scrape = await this.scrape();
    const hit = this.samplesOf(scrape, device).find(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    return hit && Number.isFinite(hit.value)
      ? { value: hit.value, at: scrape.at, source: hit.source }
      : undefined;
  }

  async device(device: string): Promise<DeviceReadings> {
    const scrape = await this.scrape();
    const samples: Sample[] = [];
    for (const s of this.samplesOf(scrape, device)) {
      if (!s.name.startsWith(PREFIX)) continue;
      const { device: _, ...labels } = s.labels;
      samples.push({ name: s.name.slice(PREFIX.length), labels, value: s.value });
    }
    return { at: scrape.at, samples, failures: scrape.failures, asked: this.urls.length };
  }
}
