/**
 * The hidden-hazard loop (隐患排查): reported → being fixed → fix checked → closed, with photos
 * before and after and who did each step. The check is done by someone other than the fixer.
 * Pure: time and ids are passed in.
 */
import type { AuditDraft, DomainError } from "../types.ts";
import { isPhotoHash } from "./answers.ts";
import type { Actor, Role } from "./roles.ts";

export type HazardStatus = "reported" | "fixing" | "fix_checked" | "closed";
export const HAZARD_STATUSES: readonly HazardStatus[] = ["reported", "fixing", "fix_checked", "closed"];
export const HAZARD_STATUS_ZH: Record<HazardStatus, string> = {
  reported: "已上报",
  fixing: "整改中",
  fix_checked: "已验收",
  closed: "已关闭",
};

export interface HazardStep {
  at: number;
  by: string;
  note?: string;
  photos: string[];
}

export interface Hazard {
  id: string;
  title: string;
  location: string;
  description?: string;
  status: HazardStatus;
  /** The round it was found on, if any. */
  roundId?: string;
  reported: HazardStep;
  fixStarted?: HazardStep;
  /** The fixer's record of the fix (after photos); the hazard stays "fixing" until checked. */
  fixed?: HazardStep;
  /** Checks that refused the fix (it went back to being fixed). */
  rejected: HazardStep[];
  checked?: HazardStep;
  closedStep?: HazardStep;
}

export type HazardCommand =
  | {
      type: "report";
      at: number;
      by: Actor;
      id: string;
      title: string;
      location: string;
      description?: string;
      roundId?: string;
      photos: string[];
    }
  | { type: "start_fix"; at: number; by: Actor; note?: string }
  | { type: "record_fix"; at: number; by: Actor; note?: string; photos: string[] }
  | { type: "check_fix"; at: number; by: Actor; accept: boolean; note?: string }
  | { type: "close"; at: number; by: Actor; note?: string };

/** Which roles may take each step (admin may take every one). The client auditor takes none. */
export const HAZARD_STEP_ROLES: Record<HazardCommand["type"], readonly Role[]> = {
  report: ["facility_manager", "engineer", "admin"],
  start_fix: ["facility_manager", "engineer", "admin"],
  record_fix: ["facility_manager", "engineer", "admin"],
  check_fix: ["facility_manager", "admin"],
  close: ["facility_manager", "admin"],
};

export type HazardResult = { ok: true; hazard: Hazard; audit: AuditDraft[] } | { ok: false; error: DomainError };

function fail(code: string, message: string): HazardResult {
  return { ok: false, error: { code, message } };
}

function badPhotos(photos: string[]): string | undefined {
  return photos.find((p) => !isPhotoHash(p));
}

/** Reports a new hazard (undefined before) or takes the next step on an existing one. */
export function applyHazard(hazard: Hazard | undefined, cmd: HazardCommand): HazardResult {
  if (!HAZARD_STEP_ROLES[cmd.type].includes(cmd.by.role))
    return fail("FORBIDDEN", `role ${cmd.by.role} may not ${cmd.type.replace("_", " ")} a hazard`);
  const by = cmd.by.name;
  const step = (note?: string, photos: string[] = []): HazardStep => ({ at: cmd.at, by, note, photos });
  const audit = (h: Hazard, detail: Record<string, unknown>): AuditDraft[] => [
    { at: cmd.at, actor: by, action: `hazard.${cmd.type}`, detail: { hazard: h.id, status: h.status, ...detail } },
  ];
  if (cmd.type === "report") {
    if (hazard) return fail("HAZARD_EXISTS", `hazard ${cmd.id} already exists`);
    if (cmd.title.trim() === "" || cmd.location.trim() === "")
      return fail("BAD_REQUEST", "a hazard needs a title and a location");
    const bad = badPhotos(cmd.photos);
    if (bad) return fail("BAD_REQUEST", `not a photo sha256: ${bad}`);
    const h: Hazard = {
      id: cmd.id,
      title: cmd.title.trim(),
      location: cmd.location.trim(),
      description: cmd.description,
      status: "reported",
      roundId: cmd.roundId,
      reported: step(cmd.description, cmd.photos),
      rejected: [],
    };
    return { ok: true, hazard: h, audit: audit(h, { title: h.title, location: h.location, round: h.roundId, photos: cmd.photos }) };
  }
  if (!hazard) return fail("NOT_FOUND", "no such hazard");
  const wrong = (expected: HazardStatus) =>
    fail("HAZARD_STATE", `hazard ${hazard.id} is ${hazard.status}; ${cmd.type.replace("_", " ")} needs ${expected}`);
  switch (cmd.type) {
    case "start_fix": {
      if (hazard.status !== "reported") return wrong("reported");
      const h: Hazard = { ...hazard, status: "fixing", fixStarted: step(cmd.note) };
      return { ok: true, hazard: h, audit: audit(h, { note: cmd.note }) };
    }
    case "record_fix": {
      if (hazard.status !== "fixing") return wrong("fixing");
      const bad = badPhotos(cmd.photos);
      if (bad) return fail("BAD_REQUEST", `not a photo sha256: ${bad}`);
      if (cmd.photos.length === 0) return fail("BAD_REQUEST", "record the fix with at least one photo after it");
      const h: Hazard = { ...hazard, fixed: step(cmd.note, cmd.photos) };
      return { ok: true, hazard: h, audit: audit(h, { note: cmd.note, photos: cmd.photos }) };
    }
    case "check_fix": {
      if (hazard.status !== "fixing") return wrong("fixing");
      if (!hazard.fixed) return fail("HAZARD_STATE", `hazard ${hazard.id}: the fix has not been recorded yet`);
      if (hazard.fixed.by === by)
        return fail("SAME_PERSON", `the fix was recorded by ${by}; someone else must check it`);
      if (!cmd.accept) {
        if (!cmd.note?.trim()) return fail("BAD_REQUEST", "say why the fix is refused");
        const h: Hazard = { ...hazard, fixed: undefined, rejected: [...hazard.rejected, step(cmd.note)] };
        return { ok: true, hazard: h, audit: audit(h, { accept: false, note: cmd.note }) };
      }
      const h: Hazard = { ...hazard, status: "fix_checked", checked: step(cmd.note) };
      return { ok: true, hazard: h, audit: audit(h, { accept: true, note: cmd.note }) };
    }
    case "close": {
      if (hazard.status !== "fix_checked") return wrong("fix_checked");
      const h: Hazard = { ...hazard, status: "closed", closedStep: step(cmd.note) };
      return { ok: true, hazard: h, audit: audit(h, { note: cmd.note }) };
    }
  }
}

export type AgeBucket = "lt_1d" | "1d_7d" | "7d_30d" | "ge_30d";
export const AGE_BUCKETS: readonly AgeBucket[] = ["lt_1d", "1d_7d", "7d_30d", "ge_30d"];

/** How long an open hazard has been open: under 1 day, 1–7 days, 7–30 days, 30 days and more. */
export function ageBucket(hazard: Hazard, now: number): AgeBucket {
  const days = (now - hazard.reported.at) / 86_400_000;
  if (days < 1) return "lt_1d";
  if (days < 7) return "1d_7d";
  if (days < 30) return "7d_30d";
  return "ge_30d";
}
