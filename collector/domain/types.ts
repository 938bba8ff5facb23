/**
 * Types of the fault engine. Times are numbers (ms since the Unix epoch) everywhere inside;
 * they become ISO 8601 strings (site time zone, with offset) only at the edges.
 */
import type { Policy } from "./policy.ts";

export type FaultClass = "major" | "severe" | "general";
export const FAULT_CLASSES: readonly FaultClass[] = ["major", "severe", "general"];

export interface DeviceInfo {
  id: string;
  class: string;
  zone?: string;
  /** What people call it and its zone (site config); shown by the UI, never used by a rule. */
  name?: string;
  zoneName?: string;
  criticality: "high" | "medium" | "low";
  dependsOn: string[];
}

/** Devices not listed are taken as they come: class "other", criticality medium, no parents. */
export interface Inventory {
  devices: Record<string, DeviceInfo>;
}

export type FaultRef = string | { device: string; condition: string; labels?: Record<string, string> };

export type Command =
  | {
      type: "condition";
      eventId: string;
      at: number;
      device: string;
      condition: string;
      labels?: Record<string, string>;
      state: "firing" | "clear";
      classHint?: FaultClass;
      title?: string;
    }
  | {
      type: "open";
      at: number;
      faultId: string;
      device: string;
      class: FaultClass;
      title: string;
      by: string;
    }
  | { type: "ack"; at: number; fault: FaultRef; by: string; note?: string }
  | { type: "resolve"; at: number; fault: FaultRef; by: string; note?: string }
  | { type: "close"; at: number; fault: FaultRef; by: string }
  | { type: "comment"; at: number; fault: FaultRef; by: string; text: string }
  | { type: "reclassify"; at: number; fault: FaultRef; class: FaultClass; by: string; reason: string }
  | {
      type: "window";
      at: number;
      windowId: string;
      devices: string[];
      zones?: string[];
      start: number;
      end: number;
      announced: number;
      reason: string;
      by: string;
    }
  | { type: "exempt"; at: number; fault: FaultRef; reason: string; evidence?: string; by: string }
  | { type: "approve" | "reject"; at: number; fault: FaultRef; by: string; reason?: string }
  | { type: "tick"; at: number };

export type HumanCommand = Extract<
  Command,
  { type: "ack" | "resolve" | "close" | "comment" | "reclassify" | "exempt" | "approve" | "reject" }
>;

export type FaultStatus = "open" | "acknowledged" | "resolved" | "closed" | "folded";

export interface Exemption {
  status: "requested" | "approved" | "rejected";
  reason: string;
  evidence?: string;
  requestedBy: string;
  requestedAt: number;
  decidedBy?: string;
  decidedAt?: number;
  decisionReason?: string;
}

export interface ClassChange {
  at: number;
  from: FaultClass;
  to: FaultClass;
  by: string;
  reason: string;
}

export interface FoldInfo {
  /** The fault this record was folded into (the root when parents fold further up). */
  parentId: string;
  /** The parent device's own fault whose recovery unfolds this record. */
  directParentId: string;
  /** When the parent's fault recovered and this record was still firing, it became its own fault here. */
  unfoldedAt?: number;
}

export interface Fault {
  id: string;
  /** device + condition + sorted labels; manual faults: device + "manual" + id. */
  key: string;
  device: string;
  condition: string;
  labels: Record<string, string>;
  title: string;
  class: FaultClass;
  /** Where the class came from: "rule:N" (index in policy.classification.rules), "hint", "default", "manual", "reclassified". */
  classSource: string;
  source: "auto" | "manual";
  /** The person who opened a manual fault. */
  openedBy?: string;
  status: FaultStatus;
  /** Device-side time the condition was first observed (or, for an unfolded child, when it became its own fault). */
  openedAt: number;
  /** Device-side time of the first observation, even when openedAt moved (unfold). */
  firstObservedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  acks: Array<{ at: number; by: string; note?: string }>;
  resolvedAt?: number;
  resolvedBy?: string;
  closedAt?: number;
  closedBy?: string;
  reopenCount: number;
  reopenedAt: number[];
  breaches: Array<{ deadline: "respond" | "resolve"; at: number }>;
  parentId?: string;
  children: string[];
  fold?: FoldInfo;
  /** A child of a device that has parents: folded if the parent's fault opens before this instant. */
  pendingFoldUntil?: number;
  /** Window that covers the open time, whether or not it counts as planned. */
  windowId?: string;
  /** Set only when the fault counts as planned (kept out of the KPI). */
  plannedWindowId?: string;
  exemption?: Exemption;
  classHistory: ClassChange[];
  comments: Array<{ at: number; by: string; text: string }>;
}

export interface MaintenanceWindow {
  id: string;
  devices: string[];
  zones: string[];
  start: number;
  end: number;
  announced: number;
  reason: string;
  by: string;
  recordedAt: number;
  /** Announced less than policy.windows.noticeSeconds before start. */
  noticeViolation: boolean;
  noticeSeconds: number;
}

export interface ConditionRecord {
  eventId: string;
  at: number;
  state: "firing" | "clear";
  classHint?: FaultClass;
  title?: string;
}

export interface KeyLog {
  device: string;
  condition: string;
  labels: Record<string, string>;
  /** Sorted by (at, eventId): the order of delivery never matters. */
  events: ConditionRecord[];
  /** The key's class hint, kept when the events that carried it were archived. */
  classHint?: FaultClass;
}

export type ActionRecord =
  | { seq: number; type: "ack" | "resolve"; at: number; faultId: string; by: string; note?: string }
  | { seq: number; type: "close"; at: number; faultId: string; by: string }
  | { seq: number; type: "comment"; at: number; faultId: string; by: string; text: string }
  | {
      seq: number;
      type: "reclassify";
      at: number;
      faultId: string;
      by: string;
      class: FaultClass;
      reason: string;
    }
  | {
      seq: number;
      type: "exempt";
      at: number;
      faultId: string;
      by: string;
      reason: string;
      evidence?: string;
    }
  | { seq: number; type: "approve" | "reject"; at: number; faultId: string; by: string; reason?: string };

export interface ManualOpen {
  at: number;
  faultId: string;
  device: string;
  class: FaultClass;
  title: string;
  by: string;
}

/** What faults are derived from. Everything is JSON. */
export interface EngineLog {
  keys: Record<string, KeyLog>;
  /** eventId -> key, for dedupe of redelivered events. */
  eventKeys: Record<string, string>;
  manual: ManualOpen[];
  actions: ActionRecord[];
  /** Auto fault id -> the condition event that anchors its identity. */
  anchors: Record<string, { key: string; eventId: string; at: number }>;
  /** Fault id -> the fault it was merged into (late events can join two faults). */
  aliases: Record<string, string>;
}

/** What was archived (archive.ts): the frozen faults themselves stay in `EngineState.faults`. */
export interface ArchiveState {
  /** Archived fault id -> the instant it was archived. */
  faults: Record<string, number>;
  /** Event ids of archived condition events: a redelivery changes nothing. */
  eventIds: Record<string, 1>;
  /** Per key: condition events at or before this device time are too late to change anything. */
  keyHorizon: Record<string, number>;
  /** Folding conditions (policy.dependencies) at or before this device time are too late too. */
  foldHorizon: number;
}

export interface EngineState {
  /** Derived from `log` as of `now`, plus the archived faults (frozen); folded children are here too. */
  faults: Record<string, Fault>;
  /** Absent in states saved before archiving existed (same as empty). */
  archive?: ArchiveState;
  windows: Record<string, MaintenanceWindow>;
  log: EngineLog;
  /** The instant the state was last brought up to. */
  now: number;
  seq: number;
}

export interface EngineContext {
  now: number;
  policy: Policy;
  inventory: Inventory;
  newId: () => string;
}

export interface AuditDraft {
  at: number;
  actor: string;
  action: string;
  faultId?: string;
  windowId?: string;
  detail: Record<string, unknown>;
}

export interface Notice {
  type:
    | "opened"
    | "acknowledged"
    | "resolved"
    | "reopened"
    | "breached"
    | "reclassified"
    | "folded"
    | "unfolded"
    | "exempted";
  faultId: string;
  at: number;
  deadline?: "respond" | "resolve";
  class?: FaultClass;
  /** The fault is planned (maintenance window): pages may be suppressed. */
  suppressed?: boolean;
}

export interface DomainError {
  code: string;
  message: string;
  /** Scenario line (replay only). */
  line?: number;
}

export type ApplyResult =
  | { ok: true; state: EngineState; audit: AuditDraft[]; notices: Notice[] }
  | { ok: false; error: DomainError };

export interface Deadline {
  kind: "respond" | "resolve";
  limitSeconds: number;
  due: number;
}

export interface DeadlineEvaluation extends Deadline {
  status: "met" | "breached" | "pending";
  metAt?: number;
  /** When the obligation was fulfilled (also when that was late). */
  doneAt?: number;
  /** Breached: how late (done time, or now while still not done, minus due). */
  missedBySeconds?: number;
  /** Pending: seconds until due. */
  secondsLeft?: number;
}

export interface FaultEvaluation {
  overall: "met" | "breached" | "pending" | "exempted" | "planned" | "folded";
  deadlines: DeadlineEvaluation[];
}

export interface Period {
  label: string;
  start: number;
  end: number;
}

export function domainError(code: string, message: string): DomainError {
  return { code, message };
}

export function isDomainError(value: unknown): value is DomainError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as DomainError).code === "string" &&
    typeof (value as DomainError).message === "string" &&
    !("label" in value)
  );
}
