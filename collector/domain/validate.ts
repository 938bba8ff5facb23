/**
 * Checks a command against the faults as they stand (brought up to ctx.now) and turns fault
 * references into ids. Errors are values with stable codes.
 */
import { faultKey } from "./fault-key.ts";
import { resolveAlias } from "./identity.ts";
import { own } from "./own.ts";
import type { Policy } from "./policy.ts";
import {
  type Command,
  type DomainError,
  domainError,
  FAULT_CLASSES,
  type Fault,
  type FaultRef,
} from "./types.ts";

type Faults = Record<string, Fault>;

export function resolveFaultRef(
  faults: Faults,
  aliases: Record<string, string>,
  ref: FaultRef,
): Fault | DomainError {
  if (typeof ref === "string") {
    const f = own(faults, resolveAlias(aliases, ref));
    return f ?? domainError("FAULT_NOT_FOUND", `no fault ${ref}`);
  }
  if (!ref || typeof ref.device !== "string" || typeof ref.condition !== "string") {
    return domainError("INVALID_COMMAND", "fault must be an id or {device, condition, labels?}");
  }
  const key = ref.labels ? faultKey(ref.device, ref.condition, ref.labels) : undefined;
  const candidates = Object.values(faults)
    .filter(
      (f) => f.device === ref.device && f.condition === ref.condition && (key === undefined || f.key === key),
    )
    .sort((a, b) => rank(a) - rank(b) || b.firstObservedAt - a.firstObservedAt || (a.id < b.id ? -1 : 1));
  return candidates[0] ?? domainError("FAULT_NOT_FOUND", `no fault for ${ref.device} ${ref.condition}`);
}

/** Prefer the fault that is still open, then the most recent. */
function rank(f: Fault): number {
  if (f.status === "open" || f.status === "acknowledged") return 0;
  if (f.status === "resolved") return 1;
  return f.status === "closed" ? 2 : 3;
}

const nonEmpty = (s: unknown): s is string => typeof s === "string" && s.trim() !== "";

export function checkShape(cmd: Command): DomainError | undefined {
  if (!cmd || typeof cmd !== "object" || typeof cmd.type !== "string") {
    return domainError("INVALID_COMMAND", "a command needs a type");
  }
  if (!Number.isFinite(cmd.at)) return domainError("INVALID_COMMAND", `${cmd.type}: at must be a time (ms)`);
  if ("by" in cmd && !nonEmpty(cmd.by))
    return domainError("INVALID_COMMAND", `${cmd.type}: by (the actor) is required`);
  switch (cmd.type) {
    case "condition":
      if (!nonEmpty(cmd.eventId) || !nonEmpty(cmd.device) || !nonEmpty(cmd.condition))
        return domainError("INVALID_COMMAND", "condition: eventId, device and condition are required");
      if (cmd.state !== "firing" && cmd.state !== "clear")
        return domainError("INVALID_COMMAND", "condition: state must be firing or clear");
      if (cmd.classHint !== undefined && !FAULT_CLASSES.includes(cmd.classHint))
        return domainError("INVALID_COMMAND", "condition: classHint must be major, severe or general");
      return undefined;
    case "open":
      if (!nonEmpty(cmd.faultId) || !nonEmpty(cmd.device) || !nonEmpty(cmd.title))
        return domainError("INVALID_COMMAND", "open: faultId, device and title are required");
      if (!FAULT_CLASSES.includes(cmd.class))
        return domainError("INVALID_COMMAND", "open: class must be major, severe or general");
      return undefined;
    case "reclassify":
      if (!FAULT_CLASSES.includes(cmd.class))
        return domainError("INVALID_COMMAND", "reclassify: class must be major, severe or general");
      if (!nonEmpty(cmd.reason)) return domainError("REASON_REQUIRED", "reclassify: a reason is required");
      return undefined;
    case "exempt":
      if (!nonEmpty(cmd.reason)) return domainError("REASON_REQUIRED", "exempt: a reason is required");
      return undefined;
    case "comment":
      if (!nonEmpty(cmd.text)) return domainError("INVALID_COMMAND", "comment: text is required");
      return undefined;
    case "window":
      if (!nonEmpty(cmd.windowId)) return domainError("INVALID_COMMAND", "window: windowId is required");
      if (![cmd.start, cmd.end, cmd.announced].every(Number.isFinite))
        return domainError("INVALID_COMMAND", "window: start, end and announced must be times");
      if (cmd.end <= cmd.start) return domainError("INVALID_WINDOW", "window: end must be after start");
      if (cmd.devices.length === 0 && (cmd.zones ?? []).length === 0)
        return domainError("INVALID_WINDOW", "window: name at least one device or zone");
      return undefined;
    default:
      return undefined;
  }
}

/** Whether a person's action may be taken on the fault now. */
export function checkAction(cmd: Command, f: Fault, policy: Policy): DomainError | undefined {
  const folded = f.status === "folded";
  const resolved = f.resolvedAt !== undefined;
  switch (cmd.type) {
    case "ack":
      if (folded)
        return domainError("FAULT_FOLDED", `fault ${f.id} is folded into ${f.parentId}; act on that one`);
      if (resolved) return domainError("FAULT_ALREADY_RESOLVED", `fault ${f.id} is already resolved`);
      if (f.status === "acknowledged")
        return domainError("FAULT_ALREADY_ACKNOWLEDGED", `fault ${f.id} is already acknowledged`);
      return undefined;
    case "resolve":
      if (folded)
        return domainError("FAULT_FOLDED", `fault ${f.id} is folded into ${f.parentId}; act on that one`);
      if (resolved) return domainError("FAULT_ALREADY_RESOLVED", `fault ${f.id} is already resolved`);
      return undefined;
    case "close":
      if (f.closedAt !== undefined)
        return domainError("FAULT_ALREADY_CLOSED", `fault ${f.id} is already closed`);
      if (!resolved)
        return domainError("FAULT_NOT_RESOLVED", `fault ${f.id} must be resolved before it is closed`);
      return undefined;
    case "reclassify":
      if (folded) return domainError("FAULT_FOLDED", `fault ${f.id} is folded into ${f.parentId}`);
      if (cmd.class === f.class) return domainError("SAME_CLASS", `fault ${f.id} is already ${f.class}`);
      return undefined;
    case "exempt": {
      if (folded) return domainError("FAULT_FOLDED", `fault ${f.id} is folded into ${f.parentId}`);
      const st = f.exemption?.status;
      if (st === "requested" || st === "approved")
        return domainError("EXEMPTION_EXISTS", `fault ${f.id} already has an exemption (${st})`);
      const limit = policy.exemptions.requestWithinSeconds * 1000;
      if (resolved && cmd.at - f.resolvedAt! > limit)
        return domainError(
          "EXEMPTION_TOO_LATE",
          `an exemption must be requested within ${policy.exemptions.requestWithinSeconds} s of the resolution`,
        );
      return undefined;
    }
    case "approve":
    case "reject":
      if (f.exemption?.status !== "requested")
        return domainError(
          "EXEMPTION_NOT_PENDING",
          `fault ${f.id} has no exemption request waiting for a decision`,
        );
      return undefined;
    default:
      return undefined;
  }
}
