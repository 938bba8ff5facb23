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

const NEEDS_ESCAPE = /[\\"\n]/;
/** Label values in the text format: backslash, double quote and newline escaped (the usual value has none: returned as it is). */
const escapeLabel = (v: string) =>
  NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : v;
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

/** Chunks are handed to the writer at about this size, so a scrape never holds the whole page nor the event loop for long. */
const CHUNK_BYTES = 64 * 1024;

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
   * in chunks of about 64 KB; resolves when the last chunk is taken. `out` resolves once it is done with
   * a chunk (the socket has it): the chunk's memory is then written over by a later one.
   */
  async write(out: (chunk: Buffer) => Promise<void>): Promise<void> {
    const families = new Set<string>();
    for (const d of this.byDevice.values()) for (const name of d.names) families.add(name);
    const page = new PageChunks(out);
    for (const name of families) {
      const full = this.prefix + name;
      if (this.taken(full)) continue;
      page.put(`# HELP ${full} ${escapeHelp(helpOf(name))}\n# TYPE ${full} ${name.endsWith("_total") ? "counter" : "gauge"}\n`);
      for (const [device, d] of this.byDevice) {
        const id = d.names.indexOf(name);
        if (id < 0) continue;
        const head = `${full}{device="${escapeLabel(device)}"`;
        for (let i = 0; i < d.values.length; i++) {
          if (d.nameOf[i] !== id) continue;
          let line = head;
          const labels = d.labelSets[d.labelsOf[i]!]!;
          for (const k in labels) if (k !== "device") line += `,${k}="${escapeLabel(labels[k]!)}"`;
          page.put(`${line}} ${formatValue(d.values[i]!)}\n`);
        }
        // Let the agent's I/O in between: a page built in one go held the event loop for a second or
        // more at 500 switches, and every SNMP reply waiting meanwhile met its expired timer first.
        if (page.full()) await page.handOver();
      }
    }
    await page.end();
  }
}

/**
 * The page's bytes, encoded line by line into two buffers used in turn: while the socket takes one,
 * the next is filled. Each line's string is garbage as soon as it is copied in, before the next
 * collection of the young generation, so a scrape of megabytes leaves next to nothing for the old
 * generation (a page built as strings, 64 KB at a time across the socket's waits, was promoted whole:
 * ~100 MB allocated per scrape of 500 switches, the heap grown by the scrapes).
 */
class PageChunks {
  private buffers = [Buffer.allocUnsafe(CHUNK_BYTES * 2), Buffer.allocUnsafe(CHUNK_BYTES * 2)];
  /** The hand-over of each buffer still in progress (the socket has not taken it yet). */
  private taking: (Promise<void> | undefined)[] = [undefined, undefined];
  private current = 0;
  private used = 0;

  constructor(private out: (chunk: Buffer) => Promise<void>) {}

  put(line: string): void {
    // At most 3 bytes per UTF-16 unit: a line that might not fit gets a buffer of its own size.
    const room = this.buffers[this.current]!.length - this.used;
    if (line.length * 3 > room) {
      const bigger = Buffer.allocUnsafe(this.used + line.length * 3 + CHUNK_BYTES);
      this.buffers[this.current]!.copy(bigger, 0, 0, this.used);
      this.buffers[this.current] = bigger;
    }
    this.used += this.buffers[this.current]!.write(line, this.used);
  }

  full(): boolean {
    return this.used >= CHUNK_BYTES;
  }

  /** Hands the filled buffer over and waits until the other one is free to fill (and the event loop has turned). */
  async handOver(): Promise<void> {
    const i = this.current;
    const taking = this.out(this.buffers[i]!.subarray(0, this.used));
    this.taking[i] = taking;
    // A scraper that goes away fails the page now, not at the end.
    taking.catch(() => {});
    this.current = 1 - i;
    this.used = 0;
    await this.taking[this.current];
    await new Promise((resume) => setImmediate(resume));
  }

  async end(): Promise<void> {
    if (this.used > 0) this.taking[this.current] = this.out(this.buffers[this.current]!.subarray(0, this.used));
    await Promise.all(this.taking);
  }
}
