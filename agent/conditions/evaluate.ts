import type { Reading } from "../profiles/map.ts";
import type { Op, ProfileCondition } from "../profiles/schema.ts";

/** One condition instance's verdict for one poll; `labels` tell instances apart (ifname, line). */
export interface Observation {
  condition: ProfileCondition;
  labels: Record<string, string>;
  observed: boolean;
}

const compare: Record<Op, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
};

/** Evaluates each condition against every series of its reading whose labels match. */
export function observeConditions(
  conditions: readonly ProfileCondition[],
  readings: readonly Reading[],
): Observation[] {
  const out: Observation[] = [];
  for (const condition of conditions) {
    const { reading, labels: wanted, op, value } = condition.when;
    const selects = Object.keys(wanted).length > 0;
    for (const r of readings) {
      if (r.name !== reading) continue;
      if (selects && !Object.entries(wanted).every(([k, v]) => r.labels[k] === v)) continue;
      // Without a label selection the instance is labelled as its reading (shared: neither changes).
      const labels = selects
        ? Object.fromEntries(Object.entries(r.labels).filter(([k]) => !(k in wanted)))
        : r.labels;
      out.push({ condition, labels, observed: compare[op](r.value, value) });
    }
  }
  return out;
}

/** Stable key of one condition instance on one device. */
export function instanceKey(device: string, condition: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return `${device}|${condition}|${parts.join(",")}`;
}
