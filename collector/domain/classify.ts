/**
 * Classification: the policy's rules in order, first match wins; then the condition's class
 * hint (from its profile or the event); then the policy's default class.
 */
import { matchesAny } from "./pattern.ts";
import { own } from "./own.ts";
import type { ClassificationRule, Policy } from "./policy.ts";
import type { DeviceInfo, FaultClass, Inventory } from "./types.ts";

export function deviceInfo(inventory: Inventory, id: string): DeviceInfo {
  return own(inventory.devices, id) ?? { id, class: "other", criticality: "medium", dependsOn: [] };
}

export interface ClassifyInput {
  device: DeviceInfo;
  condition: string;
  /** The fault's own device plus the devices folded into it. */
  affectedDevices: number;
  classHint?: FaultClass;
}

export interface Classification {
  class: FaultClass;
  /** "rule:N", "hint" or "default". */
  source: string;
  autoResolve: boolean;
}

export function ruleMatches(rule: ClassificationRule, input: ClassifyInput): boolean {
  const m = rule.match;
  if (m.deviceClass !== undefined && !matchesAny(input.device.class, m.deviceClass)) return false;
  if (m.criticality !== undefined && !matchesAny(input.device.criticality, m.criticality)) return false;
  if (m.zone !== undefined && !matchesAny(input.device.zone, m.zone)) return false;
  if (m.condition !== undefined && !matchesAny(input.condition, m.condition)) return false;
  if (m.minAffectedDevices !== undefined && input.affectedDevices < m.minAffectedDevices) return false;
  return true;
}

export function classify(input: ClassifyInput, policy: Policy): Classification {
  const rules = policy.classification.rules;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (ruleMatches(rule, input))
      return { class: rule.class, source: `rule:${i}`, autoResolve: rule.autoResolve };
  }
  if (input.classHint) return { class: input.classHint, source: "hint", autoResolve: true };
  return { class: policy.classification.default, source: "default", autoResolve: true };
}
