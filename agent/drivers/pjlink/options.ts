import { z } from "zod";
import { secret } from "../../../common/config/schema.ts";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, "expected a time of day such as 08:00");

/** When the wall should be on; outside these hours a tile in standby is no fault. */
export const scheduleSchema = z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).default([...DAYS]),
  from: hhmm.default("00:00"),
  to: hhmm.default("24:00"),
  timezone: z
    .string()
    .default("Asia/Shanghai")
    .refine((tz) => {
      try {
        Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "expected an IANA time zone such as Asia/Shanghai"),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const pjlinkOptionsSchema = z.strictObject({
  /** The PJLink password (the projector's web-control password); sent only as an MD5 digest. */
  password: secret.optional(),
  timeoutMs: z.number().int().min(100).default(3000),
  /** The tiles of the wall, each its own PJLink endpoint (host or host:port, default port 4352). Absent: the device address is the one tile "1". */
  tiles: z
    .array(z.strictObject({ tile: z.string().min(1), address: z.string().min(1) }))
    .min(1)
    .optional(),
  /** When the wall should be on (display.power_off only then). Absent: always. */
  onHours: scheduleSchema.optional(),
});
export type PjlinkOptions = z.infer<typeof pjlinkOptionsSchema>;

export const PJLINK_FIELDS = [
  "up",
  "power_on",
  "power_state",
  "off_in_hours",
  "error",
  "warning",
  "lamp_hours",
  "lamp_on",
  "input",
  "info",
  "filter_hours",
  "input_width",
  "input_height",
] as const;
export type PjlinkField = (typeof PJLINK_FIELDS)[number];
