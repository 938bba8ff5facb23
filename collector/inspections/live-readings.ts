/**
 * The latest live reading of a device, for pre-filling an inspection item (the inspector confirms it).
 * The collector holds no readings itself; the agents export them on /metrics as
 * `watchfloor_<reading>{device="…",…}`, so it reads the agents' /metrics (collector.agentMetrics),
 * at most once per `cacheMs`, each fetch bounded by a timeout. An agent that does not answer leaves
 * the item empty; nothing waits on it for long.
 */
import type { Clock } from "../../common/clock.ts";

export interface LiveReading {
  value: number;
  /** When it was read (the scrape), ms. */
  at: number;
  /** The /metrics URL it came from. */
  source: string;
}

export interface LiveReadings {
  latest(device: string, reading: string, labels: Record<string, string>): Promise<LiveReading | undefined>;
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
    const value = rest[0] === "+Inf" ? Number.POSITIVE_INFINITY : rest[0] === "-Inf" ? Number.NEGATIVE_INFINITY : Number(rest[0]);
    if (rest[0] === undefined || rest[0] === "" || Number.isNaN(value)) continue;
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export class AgentMetricsReadings implements LiveReadings {
  private cache: { at: number; samples: Array<Sample & { source: string }> } | undefined;
  private inflight: Promise<Array<Sample & { source: string }>> | undefined;

  constructor(
    private urls: readonly string[],
    private clock: Clock,
    private opts: { timeoutMs?: number; cacheMs?: number } = {},
  ) {}

  private async scrape(): Promise<Array<Sample & { source: string }>> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < (this.opts.cacheMs ?? 10_000)) return this.cache.samples;
    this.inflight ??= Promise.all(
      this.urls.map(async (url) => {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000) });
          if (!res.ok) return [];
          return parseExposition(await res.text()).map((s) => ({ ...s, source: url }));
        } catch {
          return [];
        }
      }),
    )
      .then((lists) => lists.flat())
      .finally(() => {
        this.inflight = undefined;
      });
    const samples = await this.inflight;
    this.cache = { at: now, samples };
    return samples;
  }

  async latest(device: string, reading: string, labels: Record<string, string>): Promise<LiveReading | undefined> {
    const name = `watchfloor_${reading}`;
    const hit = (await this.scrape()).find(
      (s) => s.name === name && s.labels.device === device && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    return hit && Number.isFinite(hit.value) ? { value: hit.value, at: this.cache!.at, source: hit.source } : undefined;
  }
}
