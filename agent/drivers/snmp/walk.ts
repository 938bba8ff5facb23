import { compareOids, indexUnder } from "./oid.ts";

/** One varbind as the walk sees it: `end` marks endOfMibView / noSuchObject / noSuchInstance. */
export interface WalkVarbind {
  oid: string;
  end?: boolean;
}

/** What a bulk request can fail with; anything else propagates. */
export type BulkFailure = "tooBig" | "timeout";

export class BulkError extends Error {
  constructor(
    readonly kind: BulkFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Asks the device for up to `maxRepetitions` successors of each OID; answers one list per OID. */
export type BulkFetch<V extends WalkVarbind> = (oids: string[], maxRepetitions: number) => Promise<V[][]>;

export type ColumnResult<V> = { ok: true; rows: Map<string, V> } | { ok: false; error: string };

export interface WalkLimits {
  maxRepetitions: number;
  maxVarbinds: number;
  maxRows: number;
  /** The device has answered this poll already, so a lost reply may be an oversized one: back off. */
  answered?: () => boolean;
  /**
   * How many rows each column had last poll. A request then asks for one repetition more than the rows
   * still expected (never more than maxRepetitions), so the reply ends just past the column instead of
   * running up to maxRepetitions into the next one: a 3-row table costs 4 varbinds per column, not 25.
   */
  expectedRows?: ReadonlyMap<string, number>;
}

/** Repetitions for a batch: enough for the longest column's expected remainder plus its end, at most `cap`. */
function repetitionsFor<V>(
  batch: readonly Cursor<V>[],
  cap: number,
  expected?: ReadonlyMap<string, number>,
): number {
  if (!expected) return cap;
  let reps = 1;
  for (const c of batch) {
    const left = (expected.get(c.column) ?? -1) - c.rows.size;
    // Unknown, or already longer than last time (the table grew): no guess.
    if (left < 0) return cap;
    reps = Math.max(reps, left + 1);
  }
  return Math.min(cap, reps);
}

interface Cursor<V> {
  column: string;
  last: string;
  rows: Map<string, V>;
}

/**
 * Walks table columns side by side with GetBulk (several columns per request), each column bounded:
 * a walk ends when a column's OIDs leave it; a reply whose OID does not increase, or a column longer
 * than maxRows, ends that column with an error instead of looping. tooBig (or a lost reply once the
 * device has answered) halves the repetitions, then the columns per request, before giving up.
 */
export async function walkColumns<V extends WalkVarbind>(
  columns: readonly string[],
  fetch: BulkFetch<V>,
  limits: WalkLimits,
  signal?: AbortSignal,
): Promise<Map<string, ColumnResult<V>>> {
  const results = new Map<string, ColumnResult<V>>();
  let pending: Cursor<V>[] = [...new Set(columns)].map((column) => ({
    column,
    last: column,
    rows: new Map(),
  }));
  let reps = limits.maxRepetitions;
  let width = limits.maxVarbinds;
  while (pending.length > 0) {
    if (signal?.aborted) throw new BulkError("timeout", "poll cancelled (timeout)");
    const batch = pending.slice(0, width);
    const asked = repetitionsFor(batch, reps, limits.expectedRows);
    let answer: V[][];
    try {
      answer = await fetch(
        batch.map((c) => c.last),
        asked,
      );
    } catch (err) {
      if (!(err instanceof BulkError)) throw err;
      const canShrink = err.kind === "tooBig" || (limits.answered?.() ?? false);
      if (canShrink && asked > 1) {
        reps = Math.max(1, Math.floor(asked / (err.kind === "timeout" ? 4 : 2)));
        continue;
      }
      if (canShrink && batch.length > 1) {
        width = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      if (err.kind === "timeout") throw err;
      for (const c of batch)
        results.set(c.column, {
          ok: false,
          error: `walk of ${c.column}: ${err.message} even at one row per request`,
        });
      pending = pending.filter((c) => !batch.includes(c));
      continue;
    }
    const done = new Set<Cursor<V>>();
    // A device may answer fewer varbinds than asked (RFC 3416 4.2.3: to fit its message size, and some
    // agents cap the total at max-repetitions): a column that got none in this reply is asked again, not
    // ended. Only a reply with nothing at all for any column ends them (else the walk would never end).
    const nothing = batch.every((_, i) => (answer[i] ?? []).length === 0);
    batch.forEach((cursor, i) => {
      const vbs = answer[i] ?? [];
      if (vbs.length === 0 && nothing) done.add(cursor);
      for (const vb of vbs) {
        const index = vb.end ? undefined : indexUnder(cursor.column, vb.oid);
        if (index === undefined) {
          done.add(cursor);
          break;
        }
        if (compareOids(vb.oid, cursor.last) <= 0) {
          results.set(cursor.column, {
            ok: false,
            error: `walk of ${cursor.column}: the device answered ${vb.oid} after ${cursor.last} (OIDs not increasing); walk cut off`,
          });
          done.add(cursor);
          break;
        }
        cursor.rows.set(index, vb);
        cursor.last = vb.oid;
        if (cursor.rows.size > limits.maxRows) {
          results.set(cursor.column, {
            ok: false,
            error: `walk of ${cursor.column}: more than ${limits.maxRows} rows (a walk that does not end?); cut off`,
          });
          done.add(cursor);
          break;
        }
      }
    });
    for (const c of done) if (!results.has(c.column)) results.set(c.column, { ok: true, rows: c.rows });
    pending = pending.filter((c) => !done.has(c));
  }
  return results;
}
