/**
 * npm run bench:engine — what the fault engine's archive saves on a long-running collector: the
 * cost of applying one condition event and the state written per command, with 10,000 condition
 * events (5,000 faults) spread over 90 days, before and after the archive step.
 */
import {
  advanceTo,
  apply,
  type Command,
  defaultPolicy,
  type EngineState,
  emptyState,
  policySchema,
} from "../collector/domain/index.ts";
import { bigLog, END, inventory } from "../test/fixtures/big-log.ts";

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
    if (!res.ok) throw new Error(res.error.message);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

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
const before = applyCostMs(plain, 15);
const after = applyCostMs(archived, 15);
const kb = (v: unknown) => Math.round(JSON.stringify(v).length / 1024);
console.log(
  [
    `faults: ${Object.keys(plain.faults).length}, archived: ${Object.keys(archived.archive?.faults ?? {}).length} (one archive step: ${archiveMs.toFixed(0)} ms)`,
    `logged condition events: ${events(plain)} -> ${events(archived)}`,
    `apply (one condition event), median of 15: ${before.toFixed(1)} ms -> ${after.toFixed(1)} ms (ratio ${(before / after).toFixed(1)}x)`,
    `engine log written per command: ${kb(plain.log)} KB -> ${kb(archived.log)} KB`,
  ].join("\n"),
);
