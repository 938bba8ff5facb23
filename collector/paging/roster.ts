/**
 * Who is on call: the monthly duty schedule plus overrides. Pure (the instant is passed in).
 */
import { wallTime } from "../domain/index.ts";
import type { NotificationsConfig, Roster } from "./config.ts";

export interface DutyDay {
  /** YYYY-MM-DD of the duty day (it starts at the handover time, site zone). */
  date: string;
  month: string;
  day: number;
}

export interface OnCall {
  role: string;
  person?: string;
  /** "schedule", or "override" with its reason. */
  source: "schedule" | "override" | "none";
  reason?: string;
}

/** The duty day an instant falls in: before the handover time it is still the previous day's duty. */
export function dutyDayOf(now: number, roster: Roster, timeZone: string): DutyDay {
  const [h, m] = roster.handover.split(":").map(Number) as [number, number];
  // Shifting by the handover time turns "08:30 to 08:30" into a calendar day (the site zone has no DST).
  const w = wallTime(now - (h * 60 + m) * 60_000, timeZone);
  const month = `${w.year}-${String(w.month).padStart(2, "0")}`;
  return { date: `${month}-${String(w.day).padStart(2, "0")}`, month, day: w.day };
}

/** The holder of each role at `now` (an override wins over the schedule; the latest-starting override wins). */
export function onCallAt(now: number, roster: Roster, timeZone: string): OnCall[] {
  const duty = dutyDayOf(now, roster, timeZone);
  const month = roster.months.find((m) => m.month === duty.month);
  return roster.roles.map((role): OnCall => {
    const override = roster.overrides
      .filter((o) => o.role === role && Date.parse(o.from) <= now && now < Date.parse(o.to))
      .sort((a, b) => Date.parse(b.from) - Date.parse(a.from))[0];
    if (override) return { role, person: override.person, source: "override", reason: override.reason };
    const list = month?.duty[role];
    if (!list || list.length === 0) return { role, source: "none" };
    return { role, person: list[(duty.day - 1) % list.length], source: "schedule" };
  });
}

/**
 * Person ids for a step's targets (roles resolved at `now`, person ids as written), without repeats. A
 * role nobody holds (its month missing from the roster, or nobody named) goes to `cfg.fallback`.
 */
export function resolveTargets(
  targets: readonly string[],
  cfg: Pick<NotificationsConfig, "roster" | "fallback">,
  now: number,
  timeZone: string,
): string[] {
  const holders = new Map(onCallAt(now, cfg.roster, timeZone).map((o) => [o.role, o.person]));
  const out: string[] = [];
  for (const t of targets) {
    const persons = cfg.roster.roles.includes(t) ? (holders.get(t) !== undefined ? [holders.get(t)!] : cfg.fallback) : [t];
    for (const person of persons) if (!out.includes(person)) out.push(person);
  }
  return out;
}

/** A month whose schedule is needed by now and lacks someone for `roles` (`absent`: no month at all). */
export interface RosterGap {
  month: string;
  roles: string[];
  absent: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The months whose schedule must be in the roster at `now` — the current duty month and, from
 * `leadDays` before its first duty day starts, the next one — with the roles nobody holds in them.
 * Overrides do not count: they cover hours, not a month.
 */
export function rosterGaps(now: number, roster: Roster, timeZone: string, leadDays = roster.leadDays): RosterGap[] {
  const months = [...new Set([dutyDayOf(now, roster, timeZone).month, dutyDayOf(now + leadDays * DAY_MS, roster, timeZone).month])];
  const gaps: RosterGap[] = [];
  for (const month of months) {
    const m = roster.months.find((x) => x.month === month);
    const roles = roster.roles.filter((r) => !m?.duty[r]?.length);
    if (roles.length > 0) gaps.push({ month, roles, absent: !m });
  }
  return gaps;
}
