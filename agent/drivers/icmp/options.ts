import { z } from "zod";

export const icmpOptionsSchema = z.strictObject({
  /** Echo requests per burst (one burst per poll). */
  count: z.number().int().min(1).max(100).default(5),
  /** Between requests; iputils ping allows 200 ms and more without privileges. */
  intervalMs: z.number().int().min(200).default(200),
  /** How long to wait for each reply. */
  timeoutMs: z.number().int().min(100).default(1000),
  /** Loss above this ratio (0–1) makes the link degraded. */
  lossThreshold: z.number().min(0).max(1).default(0.2),
  /** An average round trip above this makes the link degraded. */
  rttThresholdMs: z.number().min(0).default(200),
  /** The ping binary (Debian iputils-ping). */
  ping: z.string().default("ping"),
});
export type IcmpOptions = z.infer<typeof icmpOptionsSchema>;

export const ICMP_FIELDS = ["success", "duration", "loss", "rtt_avg", "rtt_max", "degraded"] as const;
export type IcmpField = (typeof ICMP_FIELDS)[number];
