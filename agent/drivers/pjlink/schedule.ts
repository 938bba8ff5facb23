import type { Schedule } from "./options.ts";

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** Whether `at` falls in the schedule's hours, on one of its days, in its time zone. Pure. */
export function inHours(schedule: Schedule, at: number): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: schedule.timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const day = (parts.weekday ?? "").toLowerCase().slice(0, 3);
  if (!schedule.days.includes(day as (typeof DAY_NAMES)[number] & Schedule["days"][number])) return false;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const from = toMinutes(schedule.from);
  const to = toMinutes(schedule.to);
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}
