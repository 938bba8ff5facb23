import { CANONICAL_READINGS } from "../common/vocabulary.ts";
import type { Reading } from "./profiles/map.ts";

type Labels = Readonly<Record<string, string>>;

/** One device's latest readings, flat and side by side; `groups` lists each name's positions. */
interface DeviceReadings {
  names: string[];
  labels: Labels[];
  values: Float64Array;
  groups: Map<string, number[]>;
}

/** The HELP line of a reading: its meaning from the canonical vocabulary. */
const helpOf = (name: string) =>
  `${CANONICAL_READINGS[name]?.help ?? "Canonical reading"} (canonical reading ${name}, see README).`;

/** Label values in the text format: backslash, double quote and newline escaped. */
const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function sameLabels(a: Labels, b: Labels): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _key in a) n--;
  return n === 0;
}

/** Text chunks are handed to the writer at about this size, so a scrape never holds the whole page. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The latest readings of every device, kept for /metrics in little memory: per device three parallel
 * arrays (name, labels, value as a float64). A poll that gives the same series as the last one — the
 * usual case — only overwrites the numbers, so steady polling leaves nothing behind for the garbage
 * collector; when the series change, label sets equal to the last poll's are reused, so a port's
 * labels are one object shared by its readings. At 500 switches (~75,000 readings) this holds about
 * 2 MB where Reading objects held about 10 MB.
 */
export class LatestReadings {
  private byDevice = new Map<string, DeviceReadings>();
  /** `taken`: a family name the agent's own metrics have, which a reading may not repeat (the page stays valid). */
  constructor(
    private prefix: string,
    private taken: (name: string) => boolean = () => false,
  ) {}

  set(device: string, readings: readonly Reading[]): void {
    const prev = this.byDevice.get(device);
    if (prev && prev.names.length === readings.length) {
      let same = true;
      for (let i = 0; i < readings.length && same; i++)
        same = prev.names[i] === readings[i]!.name && sameLabels(prev.labels[i]!, readings[i]!.labels);
      if (same) {
        for (let i = 0; i < readings.length; i++) prev.values[i] = readings[i]!.value;
        return;
      }
    }
    const known = new Map<string, Labels>();
    if (prev) for (const l of prev.labels) known.set(JSON.stringify(l), l);
    const next: DeviceReadings = { names: [], labels: [], values: new Float64Array(readings.length), groups: new Map() };
    readings.forEach((r, i) => {
      const key = JSON.stringify(r.labels);
      let labels = known.get(key);
      if (!labels) {
        labels = { ...r.labels };
        known.set(key, labels);
      }
      next.names.push(r.name);
      next.labels.push(labels);
      next.values[i] = r.value;
      const group = next.groups.get(r.name);
      if (group) group.push(i);
      else next.groups.set(r.name, [i]);
    });
    this.byDevice.set(device, next);
  }

  /**
   * Writes every reading family in the Prometheus text format (HELP, TYPE, then each device's series),
   * in chunks; resolves when the last chunk is accepted (the writer may wait for the socket to drain).
   */
  async write(out: (chunk: string) => Promise<void> | void): Promise<void> {
    const names = new Set<string>();
    for (const d of this.byDevice.values()) for (const name of d.groups.keys()) names.add(name);
    let text = "";
    for (const name of names) {
      const full = this.prefix + name;
      if (this.taken(full)) continue;
      text += `# HELP ${full} ${escapeHelp(helpOf(name))}\n# TYPE ${full} ${name.endsWith("_total") ? "counter" : "gauge"}\n`;
      for (const [device, d] of this.byDevice) {
        const group = d.groups.get(name);
        if (!group) continue;
        const head = `${full}{device="${escapeLabel(device)}"`;
        for (const i of group) {
          let line = head;
          const labels = d.labels[i]!;
          for (const k in labels) if (k !== "device") line += `,${k}="${escapeLabel(labels[k]!)}"`;
          text += `${line}} ${formatValue(d.values[i]!)}\n`;
        }
        if (text.length >= CHUNK_CHARS) {
          await out(text);
          text = "";
        }
      }
    }
    if (text) await out(text);
  }
}
