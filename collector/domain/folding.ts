/**
 * Dependencies: a child's "unreachable" fault folds into its parent's fault when the parent's
 * fault opened no later than foldGraceSeconds after the child's and was still unresolved when the
 * child's opened (so the order in which they arrive does not matter). Folded records are kept
 * (status "folded") but are not faults. When the parent's fault resolves and the child is still
 * firing foldGraceSeconds later, the child unfolds into its own fault, opened at the parent's
 * resolution. A child with parents and no parent fault yet carries pendingFoldUntil (pages can wait).
 */
import { deviceInfo } from "./classify.ts";
import { matchesAny } from "./pattern.ts";
import type { Policy } from "./policy.ts";
import type { Fault, Inventory } from "./types.ts";

function depthOf(
  inventory: Inventory,
  device: string,
  memo: Map<string, number>,
  visiting: Set<string>,
): number {
  const known = memo.get(device);
  if (known !== undefined) return known;
  if (visiting.has(device)) return 0; // a dependency cycle: stop here
  visiting.add(device);
  const parents = deviceInfo(inventory, device).dependsOn;
  const depth =
    parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => depthOf(inventory, p, memo, visiting)));
  visiting.delete(device);
  memo.set(device, depth);
  return depth;
}

export function applyFolding(
  faults: Record<string, Fault>,
  inventory: Inventory,
  policy: Policy,
  now: number,
): void {
  const deps = policy.dependencies;
  const graceMs = deps.foldGraceSeconds * 1000;
  const memo = new Map<string, number>();
  const auto = Object.values(faults).filter((f) => f.source === "auto");
  const depth = (f: Fault) => depthOf(inventory, f.device, memo, new Set());
  auto.sort((a, b) => depth(a) - depth(b) || a.firstObservedAt - b.firstObservedAt || (a.id < b.id ? -1 : 1));
  for (const child of auto) {
    const parents = deviceInfo(inventory, child.device).dependsOn;
    if (parents.length === 0 || !matchesAny(child.condition, deps.childConditions)) continue;
    const start = child.firstObservedAt;
    const candidates = auto.filter(
      (p) =>
        p !== child &&
        parents.includes(p.device) &&
        matchesAny(p.condition, deps.parentConditions) &&
        p.firstObservedAt - graceMs <= start &&
        start < (p.resolvedAt ?? Number.POSITIVE_INFINITY) &&
        !(p.status === "folded" && p.fold?.directParentId === child.id),
    );
    const parent = candidates[0];
    if (!parent) {
      if (child.resolvedAt === undefined && now < start + graceMs) child.pendingFoldUntil = start + graceMs;
      continue;
    }
    foldUnder(child, parent, graceMs, now);
  }
  for (const f of Object.values(faults)) {
    if (f.status === "folded" && f.parentId !== undefined) faults[f.parentId]?.children.push(f.id);
  }
  for (const f of Object.values(faults)) f.children.sort();
}

/** Folds the child under the parent's fault (its root), or unfolds it once the parent recovered. */
export function foldUnder(child: Fault, parent: Fault, graceMs: number, now: number): void {
  const root = parent.status === "folded" && parent.parentId !== undefined ? parent.parentId : parent.id;
  const unfoldAt = parent.resolvedAt === undefined ? undefined : parent.resolvedAt + graceMs;
  const stillFiring = child.resolvedAt === undefined || (unfoldAt !== undefined && child.resolvedAt > unfoldAt);
  if (unfoldAt !== undefined && now >= unfoldAt && stillFiring) {
    child.fold = { parentId: root, directParentId: parent.id, unfoldedAt: parent.resolvedAt };
    child.openedAt = parent.resolvedAt!;
  } else {
    child.fold = { parentId: root, directParentId: parent.id };
    child.status = "folded";
    child.parentId = root;
  }
}

/** Due instants of folding decisions still ahead (for the collector's timer). */
export function foldingDueAt(
  fault: Fault,
  faults: Record<string, Fault>,
  policy: Policy,
): number | undefined {
  if (fault.pendingFoldUntil !== undefined) return fault.pendingFoldUntil;
  if (fault.status !== "folded" || !fault.fold) return undefined;
  const parent = faults[fault.fold.directParentId];
  if (parent?.resolvedAt === undefined) return undefined;
  return parent.resolvedAt + policy.dependencies.foldGraceSeconds * 1000;
}
