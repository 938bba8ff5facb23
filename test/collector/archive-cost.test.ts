/**
 * Prints what archiving saves: the cost of applying one condition event and the size of the state
 * the collector writes, with 10,000 condition events spread over 90 days, before and after the
 * archive step. No timing assertions (machines differ); only that the results are identical.
 */
import { describe, expect, it } from "vitest";
import {
  advanceTo,
  apply,
  type Command,
  defaultPolicy,
  type EngineLog,
  type EngineState,
  emptyState,
  faultKey,
  type Inventory,
  policySchema,
} from "../../collector/domain/index.ts";

const DAY = 86_400_000;
const END = Date.parse("2026-03-31T00:00:00Z");
const START = END - 90 * DAY;
const inventory: Inventory = { devices: {} };

/** 5,000 short link.down faults (firing + clear, 30 min) on 100 switches, evenly over 90 days. */
function bigLog(): EngineLog {
  const log = emptyState().log;
  const n = 5000;
  for (let i = 0; i < n; i++) {
    const device = `sw-${i % 100}`;
    const key = faultKey(device, "link.down", {});
    const at = START + Math.floor((i * 90 * DAY) / n);
    log.keys[key] ??= { device, condition: "link.down", labels: {}, events: [] };
    const k = log.keys[key];
    for (const [state, t] of [
      ["firing", at],
      ["clear", at + 30 * 60_000],
    ] as const) {
      const eventId = `e${i}-${state}`;
      k.events.push({ eventId, at: t, state });
      log.eventKeys[eventId] = key;
    }
  }
  return log;
}

function applyCostMs(state: EngineState, rounds: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cmd: Command = {
      type: "condition",
      eventId: `new-${r}`,
      at: END,
      device: "pos-1",
      condition: "link.down",
      state: "firing",
    };
    const t0 = performance.now();
    const res = apply(state, cmd, { now: END, policy: defaultPolicy, inventory, newId: () => "NEW" });
    times.push(performance.now() - t0);
    expect(res.ok).toBe(true);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

describe("archive cost (prints figures)", () => {
  it("10,000 events over 90 days: apply cost and state size before and after archiving", () => {
    let n = 0;
    const newId = () => `F${++n}`;
    const off = policySchema.parse({ archive: { afterSeconds: null } });
    const plain = advanceTo(
      { ...emptyState(), log: bigLog() },
      { now: END, policy: off, inventory, newId },
    ).state;
    const t0 = performance.now();
    const archived = advanceTo(plain, { now: END, policy: defaultPolicy, inventory, newId }).state;
    const archiveMs = performance.now() - t0;
    const events = (s: EngineState) => Object.values(s.log.keys).reduce((c, k) => c + k.events.length, 0);
    expect(archived.faults).toEqual(plain.faults);
    expect(events(plain)).toBe(10_000);
    expect(events(archived)).toBeLessThan(events(plain) / 4);

    const before = applyCostMs(plain, 15);
    const after = applyCostMs(archived, 15);
    const kb = (v: unknown) => Math.round(JSON.stringify(v).length / 1024);
    console.log(
      [
        `faults: ${Object.keys(plain.faults).length}, archived: ${Object.keys(archived.archive?.faults ?? {}).length} (one archive step: ${archiveMs.toFixed(0)} ms)`,
        `logged condition events: ${events(plain)} -> ${events(archived)}; eventKeys: ${Object.keys(plain.log.eventKeys).length} -> ${Object.keys(archived.log.eventKeys).length}`,
        `apply (one condition event), median of 15: ${before.toFixed(1)} ms -> ${after.toFixed(1)} ms`,
        `state JSON written per command: ${kb(plain)} KB -> ${kb(archived)} KB (log ${kb(plain.log)} KB -> ${kb(archived.log)} KB, archive bookkeeping ${kb(archived.archive)} KB)`,
      ].join("\n"),
    );
  });
});
