/**
 * A round (一次巡检): created for one firing of a template's schedule, claimed or assigned, done stop
 * by stop (check in, answer, photograph), finished. A finished round is never edited, only annotated.
 * Pure: the time of each command and every id are passed in.
 */
import { classify, deviceInfo } from "../classify.ts";
import type { Policy } from "../policy.ts";
import { formatInstant } from "../time-format.ts";
import type { AuditDraft, Command, DomainError, Inventory } from "../types.ts";
import { type AnswerValue, checkAnswer, isPhotoHash } from "./answers.ts";
import { type Actor, mayAssign, mayFill } from "./roles.ts";
import type { Item, Stop, Template } from "./template.ts";

export type RoundStatus = "open" | "in_progress" | "completed";

export interface Answer {
  stopId: string;
  itemId: string;
  value: AnswerValue;
  at: number;
  by: string;
  /** The value was offered from a live reading and the inspector confirmed (or changed) it. */
  prefilled?: { device: string; reading: string; value: number };
  abnormal?: { reason: string; reasonEn: string; source: string };
}

export interface RoundFault {
  faultId: string;
  stopId: string;
  itemId: string;
  at: number;
  /** Photos taken at the stop, linked to the fault (sha256). */
  photos: string[];
}

export interface Round {
  id: string;
  /** Idempotency key of the firing that created it: template id + firing instant. */
  key: string;
  templateId: string;
  title: string;
  titleEn?: string;
  firedAt: number;
  dueAt: number;
  status: RoundStatus;
  assignee?: string;
  claimedBy?: string;
  startedAt?: number;
  /** The template's stops as they were when the round was created (later edits don't change it). */
  stops: Stop[];
  checkins: Record<string, { at: number; by: string; via: "qr" | "manual" }>;
  /** Latest answer per "stop/item". */
  answers: Record<string, Answer>;
  photos: Array<{ hash: string; stopId: string; itemId?: string; at: number; by: string }>;
  faults: RoundFault[];
  completedAt?: number;
  completedBy?: string;
  annotations: Array<{ at: number; by: string; text: string }>;
  /** Secret behind the check-in codes printed on the round's QR sheet (set by the collector; never shown). */
  qrKey?: string;
}

export function roundKey(templateId: string, firedAt: number, timeZone: string): string {
  return `${templateId}@${formatInstant(firedAt, timeZone)}`;
}

/** A new round for one firing of the template. */
export function createRound(template: Template, firedAt: number, id: string, timeZone: string): Round {
  return {
    id,
    key: roundKey(template.id, firedAt, timeZone),
    templateId: template.id,
    title: template.title,
    titleEn: template.titleEn,
    firedAt,
    dueAt: firedAt + template.due * 1000,
    status: "open",
    stops: template.stops,
    checkins: {},
    answers: {},
    photos: [],
    faults: [],
    annotations: [],
  };
}

export type DueState = "due" | "overdue" | "done_on_time" | "done_late";

/**
 * "A round not finished by its due time is overdue": finishing at the due instant is on time, and a
 * round still open at the due instant is not yet overdue — one millisecond later it is.
 */
export function dueState(round: Round, now: number): DueState {
  if (round.status === "completed") return round.completedAt! <= round.dueAt ? "done_on_time" : "done_late";
  return now > round.dueAt ? "overdue" : "due";
}

export type RoundCommand =
  | { type: "claim"; at: number; by: Actor }
  | { type: "assign"; at: number; by: Actor; to: string }
  | { type: "checkin"; at: number; by: Actor; stop: string; via: "qr" | "manual" }
  | {
      type: "answer";
      at: number;
      by: Actor;
      stop: string;
      item: string;
      value: AnswerValue;
      prefilled?: { device: string; reading: string; value: number };
    }
  | { type: "photo"; at: number; by: Actor; stop: string; item?: string; hash: string }
  | { type: "finish"; at: number; by: Actor }
  | { type: "annotate"; at: number; by: Actor; text: string };

export interface RoundContext {
  policy: Policy;
  inventory: Inventory;
  newFaultId: () => string;
}

export type RoundResult =
  | { ok: true; round: Round; audit: AuditDraft[]; faultCommands: Command[] }
  | { ok: false; error: DomainError };

function fail(code: string, message: string): RoundResult {
  return { ok: false, error: { code, message } };
}

function findItem(round: Round, stopId: string, itemId: string): { stop?: Stop; item?: Item } {
  const stop = round.stops.find((s) => s.id === stopId);
  return { stop, item: stop?.items.find((i) => i.id === itemId) };
}


/** Applies one command to a round; errors are values with stable codes (the API maps them to 4xx). */
export function applyRound(round: Round, cmd: RoundCommand, ctx: RoundContext): RoundResult {
  const by = cmd.by.name;
  const audit = (action: string, detail: Record<string, unknown>): AuditDraft => ({
    at: cmd.at,
    actor: by,
    action: `inspection.${action}`,
    detail: { round: round.id, template: round.templateId, ...detail },
  });
  if (cmd.type === "annotate") {
    if (!mayFill(cmd.by.role)) return fail("FORBIDDEN", `role ${cmd.by.role} may not annotate rounds`);
    const text = cmd.text.trim();
    if (text === "") return fail("BAD_ANSWER", "an annotation needs text");
    return {
      ok: true,
      round: { ...round, annotations: [...round.annotations, { at: cmd.at, by, text }] },
      audit: [audit("annotate", { text })],
      faultCommands: [],
    };
  }
  if (round.status === "completed")
    return fail("ROUND_FINISHED", `round ${round.id} was finished at ${round.completedAt}; it can only be annotated`);
  if (!mayFill(cmd.by.role)) return fail("FORBIDDEN", `role ${cmd.by.role} may not fill rounds`);

  if (cmd.type === "assign") {
    if (!mayAssign(cmd.by.role)) return fail("FORBIDDEN", `role ${cmd.by.role} may not assign rounds`);
    return {
      ok: true,
      round: { ...round, assignee: cmd.to, claimedBy: cmd.to },
      audit: [audit("assign", { to: cmd.to, from: round.claimedBy })],
      faultCommands: [],
    };
  }
  // Once someone holds the round, only they fill it (a manager may reassign it first).
  if (round.claimedBy !== undefined && round.claimedBy !== by)
    return fail("ROUND_TAKEN", `round ${round.id} is held by ${round.claimedBy}`);
  const held: Round =
    round.claimedBy === undefined
      ? { ...round, claimedBy: by, status: "in_progress", startedAt: round.startedAt ?? cmd.at }
      : round.status === "open"
        ? { ...round, status: "in_progress", startedAt: round.startedAt ?? cmd.at }
        : round;
  const claimAudit = round.claimedBy === undefined ? [audit("claim", {})] : [];

  switch (cmd.type) {
    case "claim":
      if (round.claimedBy === by) return { ok: true, round, audit: [], faultCommands: [] };
      return { ok: true, round: held, audit: claimAudit, faultCommands: [] };
    case "checkin": {
      if (!round.stops.some((s) => s.id === cmd.stop)) return fail("NOT_FOUND", `round ${round.id} has no stop ${cmd.stop}`);
      if (held.checkins[cmd.stop]) return { ok: true, round: held, audit: claimAudit, faultCommands: [] };
      return {
        ok: true,
        round: { ...held, checkins: { ...held.checkins, [cmd.stop]: { at: cmd.at, by, via: cmd.via } } },
        audit: [...claimAudit, audit("checkin", { stop: cmd.stop, via: cmd.via })],
        faultCommands: [],
      };
    }
    case "answer": {
      const { stop, item } = findItem(round, cmd.stop, cmd.item);
      if (!stop || !item) return fail("NOT_FOUND", `round ${round.id} has no item ${cmd.stop}/${cmd.item}`);
      if (!held.checkins[cmd.stop])
        return fail("NOT_CHECKED_IN", `check in at ${stop.title} (scan its QR code) before answering its items`);
      const check = checkAnswer(item, cmd.value);
      if (!check.ok) return fail(check.code, check.message);
      const answer: Answer = {
        stopId: cmd.stop,
        itemId: cmd.item,
        value: cmd.value,
        at: cmd.at,
        by,
        prefilled: cmd.prefilled,
        abnormal: check.abnormal ? { reason: check.reason, reasonEn: check.reasonEn, source: check.source } : undefined,
      };
      let next: Round = { ...held, answers: { ...held.answers, [`${cmd.stop}/${cmd.item}`]: answer } };
      const entries = [...claimAudit, audit("answer", { stop: cmd.stop, item: cmd.item, value: cmd.value, abnormal: check.abnormal, prefilled: cmd.prefilled })];
      if (item.kind === "photo" && typeof cmd.value === "string") {
        const photo = applyPhoto(next, { stop: cmd.stop, item: cmd.item, hash: cmd.value, at: cmd.at, by });
        next = photo.round;
        return { ok: true, round: next, audit: entries, faultCommands: photo.commands };
      }
      const faultCommands: Command[] = [];
      const already = held.faults.some((f) => f.stopId === cmd.stop && f.itemId === cmd.item);
      if (check.abnormal && !already) {
        const faultId = ctx.newFaultId();
        const photos = held.photos.filter((p) => p.stopId === cmd.stop).map((p) => p.hash);
        faultCommands.push(
          ...abnormalFaultCommands({ round: held, stop, item, reason: check.reason, at: cmd.at, by, faultId, photos }, ctx),
        );
        next = { ...next, faults: [...next.faults, { faultId, stopId: cmd.stop, itemId: cmd.item, at: cmd.at, photos }] };
        entries.push({
          ...audit("abnormal", { stop: cmd.stop, item: cmd.item, fault: faultId, reason: check.reason, source: check.source }),
          faultId,
        });
      }
      return { ok: true, round: next, audit: entries, faultCommands };
    }
    case "photo": {
      if (!round.stops.some((s) => s.id === cmd.stop)) return fail("NOT_FOUND", `round ${round.id} has no stop ${cmd.stop}`);
      if (!held.checkins[cmd.stop]) return fail("NOT_CHECKED_IN", `check in at stop ${cmd.stop} before adding photos`);
      if (!isPhotoHash(cmd.hash)) return fail("BAD_ANSWER", "expected the sha256 (64 hex digits) of an uploaded photo");
      if (held.photos.some((p) => p.hash === cmd.hash && p.stopId === cmd.stop))
        return { ok: true, round: held, audit: claimAudit, faultCommands: [] };
      const photo = applyPhoto(held, { stop: cmd.stop, item: cmd.item, hash: cmd.hash, at: cmd.at, by });
      return {
        ok: true,
        round: photo.round,
        audit: [...claimAudit, audit("photo", { stop: cmd.stop, item: cmd.item, sha256: cmd.hash, faults: photo.linked })],
        faultCommands: photo.commands,
      };
    }
    case "finish": {
      const missing = missingForFinish(held);
      if (missing.length > 0)
        return fail("ROUND_INCOMPLETE", `not finished: ${missing.join(", ")}`);
      return {
        ok: true,
        round: { ...held, status: "completed", completedAt: cmd.at, completedBy: by },
        audit: [
          ...claimAudit,
          audit("finish", {
            onTime: cmd.at <= round.dueAt,
            abnormal: held.faults.map((f) => f.faultId),
          }),
        ],
        faultCommands: [],
      };
    }
  }
}

/** Records a photo at a stop and links it to the faults already opened at that stop. */
function applyPhoto(
  round: Round,
  p: { stop: string; item?: string; hash: string; at: number; by: string },
): { round: Round; commands: Command[]; linked: string[] } {
  const photos = round.photos.some((x) => x.hash === p.hash && x.stopId === p.stop)
    ? round.photos
    : [...round.photos, { hash: p.hash, stopId: p.stop, itemId: p.item, at: p.at, by: p.by }];
  const commands: Command[] = [];
  const linked: string[] = [];
  const faults = round.faults.map((f) => {
    if (f.stopId !== p.stop || f.photos.includes(p.hash)) return f;
    linked.push(f.faultId);
    commands.push({ type: "comment", at: p.at, fault: f.faultId, by: p.by, text: photoComment(round, p.stop, p.hash) });
    return { ...f, photos: [...f.photos, p.hash] };
  });
  return { round: { ...round, photos, faults }, commands, linked };
}

function photoComment(round: Round, stopId: string, hash: string): string {
  return `巡检照片 photo sha256:${hash}（巡检 round ${round.id}，点位 stop ${stopId}）`;
}

/** What still blocks finishing: stops not checked in, required items not answered. */
export function missingForFinish(round: Round): string[] {
  const missing: string[] = [];
  for (const stop of round.stops) {
    if (!round.checkins[stop.id]) {
      missing.push(`stop ${stop.id} not checked in`);
      continue;
    }
    for (const item of stop.items)
      if (item.required && !round.answers[`${stop.id}/${item.id}`]) missing.push(`${stop.id}/${item.id} not answered`);
  }
  return missing;
}

/**
 * The fault an abnormal answer opens: class by the policy's rules (condition inspection.abnormal
 * unless the item names one), the item's class hint, then the policy's default (general). Then a
 * comment that links it to the round, the stop and the photos taken there.
 */
export function abnormalFaultCommands(
  input: { round: Round; stop: Stop; item: Item; reason: string; at: number; by: string; faultId: string; photos: string[] },
  ctx: Pick<RoundContext, "policy" | "inventory">,
): Command[] {
  const { round, stop, item } = input;
  const on = "onAbnormal" in item ? item.onAbnormal : undefined;
  const device = on?.device ?? stop.device ?? `stop:${stop.id}`;
  const cls = classify(
    {
      device: deviceInfo(ctx.inventory, device),
      condition: on?.condition ?? "inspection.abnormal",
      affectedDevices: 1,
      classHint: on?.classHint,
    },
    ctx.policy,
  );
  const link =
    `巡检 round ${round.id}（${round.title}），点位 stop ${stop.id}（${stop.title}），项 item ${item.id}` +
    (input.photos.length > 0 ? `；照片 photos ${input.photos.map((h) => `sha256:${h}`).join(", ")}` : "");
  return [
    { type: "open", at: input.at, faultId: input.faultId, device, class: cls.class, title: `巡检异常：${input.reason}`, by: input.by },
    { type: "comment", at: input.at, fault: input.faultId, by: input.by, text: link },
  ];
}
