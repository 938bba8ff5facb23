/**
 * The dependency graph as the incremental engine needs it: each device's depth (as folding.ts
 * sorts), its parents, and the devices below it, so a change re-derives only the keys it can
 * reach. A graph with a cycle has no stable depth order; the engine then derives everything.
 */
import { deviceInfo } from "./classify.ts";
import { matchesAny } from "./pattern.ts";
import type { Policy } from "./policy.ts";
import type { Inventory } from "./types.ts";

export class FoldTopology {
  private depths = new Map<string, number>();
  private below = new Map<string, string[]>();
  readonly cyclic: boolean;

  constructor(
    readonly inventory: Inventory,
    readonly policy: Policy,
  ) {
    for (const d of Object.values(inventory.devices))
      for (const p of d.dependsOn) this.below.set(p, [...(this.below.get(p) ?? []), d.id]);
    this.cyclic = Object.keys(inventory.devices).some((id) => this.reachesItself(id));
  }

  private reachesItself(start: string): boolean {
    const seen = new Set<string>();
    const stack = [...deviceInfo(this.inventory, start).dependsOn];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d === start) return true;
      if (seen.has(d)) continue;
      seen.add(d);
      stack.push(...deviceInfo(this.inventory, d).dependsOn);
    }
    return false;
  }

  parents(device: string): string[] {
    return deviceInfo(this.inventory, device).dependsOn;
  }

  /** Same value as folding.ts's depthOf on an acyclic graph. */
  depth(device: string): number {
    const known = this.depths.get(device);
    if (known !== undefined) return known;
    const parents = this.parents(device);
    const depth = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => this.depth(p)));
    this.depths.set(device, depth);
    return depth;
  }

  /** Devices that depend on `device`, directly or further down. */
  descendants(device: string): string[] {
    const out = new Set<string>();
    const stack = [...(this.below.get(device) ?? [])];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (out.has(d)) continue;
      out.add(d);
      stack.push(...(this.below.get(d) ?? []));
    }
    return [...out];
  }

  isChild(condition: string): boolean {
    return matchesAny(condition, this.policy.dependencies.childConditions);
  }

  isParent(condition: string): boolean {
    return matchesAny(condition, this.policy.dependencies.parentConditions);
  }

  foldRelevant(condition: string): boolean {
    return this.isChild(condition) || this.isParent(condition);
  }
}
