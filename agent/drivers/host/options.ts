import { z } from "zod";
import { regexText } from "../../../common/config/regex.ts";

const regex = regexText();

export const hostOptionsSchema = z.strictObject({
  /** Mount points to report (a regular expression); default every real file system. */
  mounts: regex.optional(),
  /** File system types never reported (memory and virtual file systems). */
  excludeTypes: z
    .array(z.string())
    .default(["tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "nsfs", "autofs", "ramfs"]),
});
export type HostOptions = z.infer<typeof hostOptionsSchema>;

export const HOST_FIELDS = [
  "cpu",
  "memory_used",
  "memory_total",
  "memory_available",
  "disk_used_ratio",
  "disk_size",
  "disk_used",
  "temperature",
  "uptime",
] as const;
export type HostField = (typeof HOST_FIELDS)[number];
