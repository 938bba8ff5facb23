/**
 * Alertmanager's webhook (payload version 4) → condition commands, so Prometheus rules feed the same
 * fault tickets as the agents. Pure: the route applies the commands.
 */
import { z } from "zod";
import type { Command, FaultClass } from "../domain/index.ts";

const alertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

/** Loose outside `alerts` on purpose: Alertmanager adds fields between versions. */
export const alertmanagerPayloadSchema = z.object({
  version: z.string(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().optional(),
  alerts: z.array(alertSchema).max(1000),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

/** Labels that name the device, in order of preference. */
const DEVICE_LABELS = ["device", "instance", "job"] as const;
/** Labels that say how to classify, not which fault it is. */
const NOT_IDENTITY = new Set(["alertname", "severity", "class", ...DEVICE_LABELS]);
const CLASSES: readonly FaultClass[] = ["major", "severe", "general"];

export type AlertConversion =
  | { ok: true; command: Extract<Command, { type: "condition" }> }
  | { ok: false; fingerprint: string; reason: string };

export function alertToCommand(alert: AlertmanagerPayload["alerts"][number]): AlertConversion {
  const name = alert.labels.alertname;
  if (!name) return { ok: false, fingerprint: alert.fingerprint, reason: "alert has no alertname label" };
  const firing = alert.status === "firing";
  // Resolved alerts carry the instant they ended; firing ones the instant the rule first fired.
  const when = firing ? alert.startsAt : (alert.endsAt ?? alert.startsAt);
  const at = Date.parse(when);
  if (!Number.isFinite(at)) return { ok: false, fingerprint: alert.fingerprint, reason: `bad time ${when}` };
  const deviceLabel = DEVICE_LABELS.find((l) => alert.labels[l]);
  const labels = Object.fromEntries(Object.entries(alert.labels).filter(([k]) => !NOT_IDENTITY.has(k)));
  const hint = alert.labels.class as FaultClass | undefined;
  return {
    ok: true,
    command: {
      type: "condition",
      // Alertmanager repeats a notification every repeat_interval: the same alert episode keeps its id.
      eventId: `am-${alert.fingerprint}-${alert.status}-${at}`,
      at,
      device: deviceLabel ? alert.labels[deviceLabel]! : "prometheus",
      condition: `alert.${name}`,
      labels,
      state: firing ? "firing" : "clear",
      ...(hint && CLASSES.includes(hint) ? { classHint: hint } : {}),
      ...(alert.annotations.summary ? { title: alert.annotations.summary } : {}),
    },
  };
}
