/**
 * Maintenance windows. A fault opened on an in-scope device (listed, or in a listed zone) at or
 * after the window's start and before its end, once the window was recorded, is planned: kept in
 * the record, kept out of the KPI. A window announced less than windows.noticeSeconds (48 h) before
 * its start is flagged as a notice violation; unless lateNoticeCountsAsPlanned, its faults count.
 */
import { deviceInfo } from "./classify.ts";
import type { Policy } from "./policy.ts";
import type { Command, Fault, Inventory, MaintenanceWindow } from "./types.ts";

export function createWindow(cmd: Extract<Command, { type: "window" }>, policy: Policy): MaintenanceWindow {
  const noticeSeconds = (cmd.start - cmd.announced) / 1000;
  return {
    id: cmd.windowId,
    devices: [...cmd.devices],
    zones: [...(cmd.zones ?? [])],
    start: cmd.start,
    end: cmd.end,
    announced: cmd.announced,
    reason: cmd.reason,
    by: cmd.by,
    recordedAt: cmd.at,
    noticeViolation: noticeSeconds < policy.windows.noticeSeconds,
    noticeSeconds,
  };
}

export function windowCovers(w: MaintenanceWindow, fault: Fault, inventory: Inventory): boolean {
  const zone = deviceInfo(inventory, fault.device).zone;
  const inScope = w.devices.includes(fault.device) || (zone !== undefined && w.zones.includes(zone));
  return inScope && fault.openedAt >= w.start && fault.openedAt < w.end && w.recordedAt <= fault.openedAt;
}

/** Sets windowId (any covering window) and plannedWindowId (one that counts as planned). */
export function applyWindows(
  fault: Fault,
  windows: Record<string, MaintenanceWindow>,
  inventory: Inventory,
  policy: Policy,
): void {
  const covering = Object.values(windows)
    .filter((w) => windowCovers(w, fault, inventory))
    .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  const planned = covering.find((w) => !w.noticeViolation || policy.windows.lateNoticeCountsAsPlanned);
  fault.windowId = planned?.id ?? covering[0]?.id;
  fault.plannedWindowId = planned?.id;
}
