import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileSchema } from "../agent/profiles/schema.ts";
import { CANONICAL_READINGS } from "./vocabulary.ts";

const ROOT = join(import.meta.dirname, "..");

/** The reading names README's "Canonical readings" table lists (backticked, labels stripped). */
function readmeNames(): Set<string> {
  const text = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = text.indexOf("### Canonical readings");
  const table = text
    .slice(start, text.indexOf("\n\n", text.indexOf("|", start)))
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .join("\n");
  return new Set([...table.matchAll(/`([a-z][a-z0-9_]*)(\{[^}]*\})?`/g)].map((m) => m[1]!));
}

describe("the canonical vocabulary", () => {
  it("is the list README quotes, no more and no less", () => {
    expect([...readmeNames()].sort()).toEqual(Object.keys(CANONICAL_READINGS).sort());
  });

  it("every name ends in a base unit, is a 0/1 state, a count or a code", () => {
    const unit = /_(volts|amperes|watts|hertz|celsius|seconds|bytes|ratio|bits_per_second|rpm|pixels|dbm|total)$/;
    const state =
      /(_up|_on|_ok|_off|_running|_active|_alarm|_leak|_fault|_needed|_degraded|_success|_answered|_present|_code|_status|_source|_state|_error|_warning|_input|_info|_on_battery|_on_bypass|_online)$/;
    const odd = Object.keys(CANONICAL_READINGS).filter((n) => !unit.test(n) && !state.test(n));
    expect(odd).toEqual([]);
  });

  it("a profile with a name outside it is refused, with the nearest name", () => {
    const res = profileSchema.safeParse({
      id: "p",
      origin: "test",
      driver: "snmp",
      readings: [{ name: "ups_input_voltage_volt", source: {} }],
    });
    expect(res.success).toBe(false);
    expect(res.error!.issues[0]!.message).toContain("did you mean ups_input_voltage_volts?");
    expect(res.error!.issues[0]!.path).toEqual(["readings", 0, "name"]);
  });
});
