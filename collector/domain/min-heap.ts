/**
 * Instants per id with the earliest first (the engine's timers): set, delete and peek in
 * O(log n). Stale heap entries are skipped lazily against the map of current values.
 */
export class InstantQueue {
  private at = new Map<string, number>();
  private heap: Array<[number, string]> = [];

  get size(): number {
    return this.at.size;
  }

  get(id: string): number | undefined {
    return this.at.get(id);
  }

  set(id: string, t: number | undefined): void {
    if (t === undefined) {
      this.at.delete(id);
      return;
    }
    if (this.at.get(id) === t) return;
    this.at.set(id, t);
    this.push([t, id]);
    // Stale entries pile up when values change often: rebuild once they outnumber the live ones.
    if (this.heap.length > 64 && this.heap.length > 4 * this.at.size) this.rebuild();
  }

  /** The earliest instant, or undefined when empty. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.[0];
  }

  /** Ids whose instant is at or before t (they stay queued). */
  dueBy(t: number): string[] {
    const out: string[] = [];
    // The heap's root is its earliest entry: nothing due, nothing to walk (the engine asks per command).
    const first = this.heap[0];
    if (!first || first[0] > t) return out;
    this.dueFrom(0, t, new Set(), out);
    return out;
  }

  private dueFrom(i: number, t: number, seen: Set<string>, out: string[]): void {
    const e = this.heap[i];
    if (!e || e[0] > t) return;
    if (this.at.get(e[1]) === e[0] && !seen.has(e[1])) {
      seen.add(e[1]);
      out.push(e[1]);
    }
    this.dueFrom(2 * i + 1, t, seen, out);
    this.dueFrom(2 * i + 2, t, seen, out);
  }

  /** The earliest instant after t. */
  firstAfter(t: number): number | undefined {
    let best: number | undefined;
    const walk = (i: number) => {
      const e = this.heap[i];
      if (!e || (best !== undefined && e[0] >= best)) return;
      if (e[0] > t) {
        if (this.at.get(e[1]) === e[0]) {
          best = e[0];
          return;
        }
      }
      walk(2 * i + 1);
      walk(2 * i + 2);
    };
    walk(0);
    return best;
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const [t, id] = this.heap[0]!;
      if (this.at.get(id) === t) return;
      this.pop();
    }
  }

  private rebuild(): void {
    this.heap = [...this.at].map(([id, t]): [number, string] => [t, id]);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(e: [number, string]): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    this.down(0);
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]![0] < h[m]![0]) m = l;
      if (r < h.length && h[r]![0] < h[m]![0]) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
