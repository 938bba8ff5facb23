import { z } from "zod";

export const tcpOptionsSchema = z.strictObject({
  /** How long a connect may take before it counts as failed. */
  timeoutMs: z.number().int().min(10).default(3000),
  /** A connect slower than this makes the link degraded (link.degraded). */
  rttThresholdMs: z.number().min(0).optional(),
});
export type TcpOptions = z.infer<typeof tcpOptionsSchema>;

export const TCP_FIELDS = ["success", "duration", "degraded"] as const;
export type TcpField = (typeof TCP_FIELDS)[number];
