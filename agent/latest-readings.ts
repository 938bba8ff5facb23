import { CANONICAL_READINGS } from "../common/vocabulary.ts";
import type { Reading } from "./profiles/map.ts";

type Labels = Readonly<Record<string, string>>;

/**
 * One device's latest readings, reading i being names[nameOf[i]]{labelSets[labelsOf[i]]} = values[i]:
 * each name and each label set held once, positions in typed arrays (a few bytes per reading).
 */
interface DeviceReadings {
  names: string[];
  nameOf: Uint16Array | Uint32Array;
  labelSets: Labels[];
  labelsOf: Uint16Array | Uint32Array;
  values: Float64Array;
}

const positions = (ids: number[], distinct: number) => (distinct <= 0xffff ? Uint16Array.from(ids) : Uint32Array.from(ids));

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

/** Text chunks are handed to the writer at about this size, so a scrape never holds the whole page nor the event loop for long. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The latest readings of every device, kept for /metrics in little memory: per device each name and
 * each label set once (a port's labels are one object shared by its readings) and, per reading, two
 * small positions and a float64. A poll that gives the same series as the last one — the usual case —
 * only overwrites the numbers, so steady polling leaves nothing behind for the garbage collector; when
 * the series change, label sets equal to the last poll's are reused.
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
    if (prev && prev.values.length === readings.length) {
      let same = true;
      for (let i = 0; i < readings.length && same; i++) {
        const r = readings[i]!;
        same = prev.names[prev.nameOf[i]!] === r.name && sameLabels(prev.labelSets[prev.labelsOf[i]!]!, r.labels);
      }
      if (same) {
        for (let i = 0; i < readings.length; i++) prev.values[i] = readings[i]!.value;
        return;
      }
    }
    // The series changed (first poll, a port added or gone): rebuilt, reusing the last poll's label sets.
    const earlier = new Map<string, Labels>();
    for (const l of prev?.labelSets ?? []) earlier.set(JSON.stringify(l), l);
    const names = new Map<string, number>();
    const labelSets = new Map<string, number>();
    const next = { names: [] as string[], labelSets: [] as Labels[], values: new Float64Array(readings.length) };
    const nameOf: number[] = [];
    const labelsOf: number[] = [];
    readings.forEach((r, i) => {
      let n = names.get(r.name);
      if (n === undefined) {
        n = next.names.push(r.name) - 1;
        names.set(r.name, n);
      }
      const key = JSON.stringify(r.labels);
      let l = labelSets.get(key);
      if (l === undefined) {
        l = next.labelSets.push(earlier.get(key) ?? { ...r.labels }) - 1;
        labelSets.set(key, l);
      }
      nameOf.push(n);
      labelsOf.push(l);
      next.values[i] = r.value;
    });
    this.byDevice.set(device, {
      ...next,
      nameOf: positions(nameOf, next.names.length),
      labelsOf: positions(labelsOf, next.labelSets.length),
    });
  }

  /**
   * Writes every reading family in the Prometheus text format (HELP, TYPE, then each device's series),
   * in chunks; resolves when the last chunk is accepted (the writer may wait for the socket to drain).
   */
  async write(out: (chunk: string) => Promise<void> | void): Promise<void> {
    const families = new Set<string>();
    for (const d of this.byDevice.values()) for (const name of d.names) families.add(name);
    let text = "";
    for (const name of families) {
      const full = this.prefix + name;
      if (this.taken(full)) continue;
      text += `# HELP ${full} ${escapeHelp(helpOf(name))}\n# TYPE ${full} ${name.endsWith("_total") ? "counter" : "gauge"}\n`;
      for (const [device, d] of this.byDevice) {
        const id = d.names.indexOf(name);
        if (id < 0) continue;
        const head = `${full}{device="${escapeLabel(device)}"`;
        for (let i = 0; i < d.values.length; i++) {
          if (d.nameOf[i] !== id) continue;
          let line = head;
          const labels = d.labelSets[d.labelsOf[i]!]!;
          for (const k in labels) if (k !== "device") line += `,${k}="${escapeLabel(labels[k]!)}"`;
          text += `${line}} ${formatValue(d.values[i]!)}\n`;
        }
        if (text.length >= CHUNK_CHARS) {
          await out(text);
          text = "";
          // Let the agent's I/O in between: a page built in one go held the event loop for a second or
          // more at 500 switches, and every SNMP reply waiting meanwhile met its expired timer first.
          await new Promise((resume) => setImmediate(resume));
        }
      }
    }
    if (text) await out(text);
  }
}
