/**
 * Which rounds a schedule owes: every firing after the template's cursor up to now, none skipped —
 * a collector that was down across a firing creates that round when it starts (already overdue if
 * its due time passed). The round's key (template + firing) makes creating it twice impossible.
 */
import { firingsBetween } from "./cron.ts";
import { roundKey } from "./round.ts";
import type { Template } from "./template.ts";

export interface OwedFiring {
  templateId: string;
  firedAt: number;
  dueAt: number;
  key: string;
}

/**
 * Firings in (cursor, now]. A template seen for the first time has no cursor: it starts at `now`
 * (its schedule begins when it is installed, not at the epoch). `limit` bounds one catch-up.
 */
export function owedFirings(
  template: Template,
  cursor: number | undefined,
  now: number,
  timeZone: string,
  limit = 1000,
): OwedFiring[] {
  if (cursor === undefined) return [];
  return firingsBetween(template.schedule, cursor, now, timeZone, limit).map((firedAt) => ({
    templateId: template.id,
    firedAt,
    dueAt: firedAt + template.due * 1000,
    key: roundKey(template.id, firedAt, timeZone),
  }));
}
