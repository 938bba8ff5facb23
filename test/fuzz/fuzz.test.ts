import { describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { formatResult, passed } from "./report.ts";
import { TARGETS } from "./targets/index.ts";

/**
 * The fuzz suite's short run (npm run fuzz runs the long one): a few thousand inputs per target, a
 * fixed seed so a failure reproduces with `npm run fuzz -- --seed 12 --count N --targets T`.
 */
const SEED = 12;
const COUNTS: Record<string, number> = { snmp: 2000, http: 3000, config: 500, modbus: 2000 };

for (const [name, target] of Object.entries(TARGETS)) {
  describe.skipIf(skipWithout(target.missing(), `fuzz ${name}`))(`fuzz ${name}`, () => {
    it(`${COUNTS[name]} inputs: no crash, no hang, no 5xx, and the checks afterwards hold`, async () => {
      const r = await target.run({ count: COUNTS[name] ?? 1000, seed: SEED });
      console.log(formatResult(r));
      expect(r.inputs).toBe(COUNTS[name]);
      expect(passed(r), formatResult(r)).toBe(true);
    }, 120_000);
  });
}
