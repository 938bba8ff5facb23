/**
 * The archive step on a quarter-sized log: the faults are exactly those without archiving, and the
 * working log shrinks. (Timings are printed by `npm run bench:engine`, not asserted here.)
 */
import { describe, expect, it } from "vitest";
import {
  advanceTo,
  defaultPolicy,
  type EngineState,
  emptyState,
  policySchema,
} from "../../collector/domain/index.ts";
import { bigLog, END, inventory } from "../fixtures/big-log.ts";

describe("archive on 10,000 events over 90 days", () => {
  it("keeps every fault identical and shrinks the working log below a quarter", () => {
    let n = 0;
    const newId = () => `F${++n}`;
    const off = policySchema.parse({ archive: { afterSeconds: null } });
    const plain = advanceTo(
      { ...emptyState(), log: bigLog() },
      { now: END, policy: off, inventory, newId },
    ).state;
    const archived = advanceTo(plain, { now: END, policy: defaultPolicy, inventory, newId }).state;
    const events = (s: EngineState) => Object.values(s.log.keys).reduce((c, k) => c + k.events.length, 0);
    expect(archived.faults).toEqual(plain.faults);
    expect(events(plain)).toBe(10_000);
    expect(events(archived)).toBeLessThan(events(plain) / 4);
  });
});
