import { dutyDayOf } from "../collector/paging/roster.ts";
import type { NotificationsConfig } from "../collector/paging/config.ts";

/** A month check-config warns about: no schedule in the roster, or roles nobody holds in it. */
export interface RosterCoverageGap {
  month: string;
  roles: string[];
  absent: boolean;
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/**
 * The current duty month and the next one, when the roster lacks them or leaves a role empty. At run
 * time such a month raises roster.missing and its pages go to the fallback (or to nobody without one);
 * check-config says so before that happens. The next month is checked whatever `leadDays` says: the
 * file being checked today is the one that will run into it.
 */
export function rosterCoverageGaps(now: number, n: Pick<NotificationsConfig, "roster">, timeZone: string): RosterCoverageGap[] {
  const current = dutyDayOf(now, n.roster, timeZone).month;
  const gaps: RosterCoverageGap[] = [];
  for (const month of [current, nextMonth(current)]) {
    const m = n.roster.months.find((x) => x.month === month);
    const roles = n.roster.roles.filter((r) => !m?.duty[r]?.length);
    if (roles.length > 0) gaps.push({ month, roles, absent: !m });
  }
  return gaps;
}

/** One warning line per gap, naming the months and what pages for the uncovered roles will do. */
export function rosterCoverageWarnings(file: string, gaps: RosterCoverageGap[], fallback: readonly string[]): string[] {
  return gaps.map((g) => {
    const roles = g.roles.join(", ");
    const whereTo =
      fallback.length > 0
        ? `pages for ${roles} go to the fallback (${fallback.join(", ")})`
        : `no fallback is set, so pages for ${roles} go to nobody`;
    const what = g.absent ? `has no month ${g.month}` : `names nobody for ${roles} in ${g.month}`;
    return `${file}: warning: roster.months ${what}: the collector raises roster.missing for it and ${whereTo}`;
  });
}
