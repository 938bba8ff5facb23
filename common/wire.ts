import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * Length limits on what an event carries (characters). The agent truncates longer label values and
 * titles with `truncateText` (a trap can carry a 25 KB ifName); the collector refuses longer ones (400).
 */
export const LABEL_VALUE_MAX = 256;
export const LABEL_NAME_MAX = 64;
export const LABELS_MAX = 32;
export const TITLE_MAX = 512;

/**
 * The agent's longest wait between delivery attempts: after a collector (re)start a live agent's
 * backlog arrives within this (the collector's liveness check waits for it before calling anyone down).
 */
export const AGENT_MAX_RETRY_MS = 30_000;

/**
 * `text` cut to at most `max` characters, ending in `…[truncated 1a2b3c4d]` (the first 8 hex digits of
 * the full text's SHA-256), so two long values that share a prefix stay apart.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `…[truncated ${createHash("sha256").update(text).digest("hex").slice(0, 8)}]`;
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

const labelsSchema = z
  .record(z.string().min(1).max(LABEL_NAME_MAX), z.string().max(LABEL_VALUE_MAX))
  .refine((labels) => Object.keys(labels).length <= LABELS_MAX, `at most ${LABELS_MAX} labels`);

/**
 * What agents send the collector: POST /api/v1/events with a bearer token per agent.
 * Every event has a unique id, so a redelivered event changes nothing.
 */
const isoTime = z.iso.datetime({ offset: true });

export const conditionEventSchema = z.strictObject({
  id: z.string().min(8).max(100),
  type: z.literal("condition"),
  device: z.string().min(1),
  condition: z.string().min(1),
  labels: labelsSchema.default({}),
  state: z.enum(["firing", "clear"]),
  /** Device-side time the change was first observed (before debounce confirmed it). */
  observedAt: isoTime,
  title: z.string().max(TITLE_MAX).optional(),
  classHint: z.enum(["major", "severe", "general"]).optional(),
});

export const heartbeatEventSchema = z.strictObject({
  id: z.string().min(8).max(100),
  type: z.literal("heartbeat"),
  at: isoTime,
  /** Seconds until the next heartbeat; the collector calls the agent down after three missed. */
  interval: z.number().positive(),
});

export const agentEventSchema = z.discriminatedUnion("type", [conditionEventSchema, heartbeatEventSchema]);
export type AgentEvent = z.infer<typeof agentEventSchema>;
export type ConditionEvent = z.infer<typeof conditionEventSchema>;

export const eventBatchSchema = z.strictObject({
  agent: z.string().min(1),
  /**
   * The agent's clock when it sent the batch: the collector measures the agent's clock offset from it
   * and corrects the batch's times when the offset is past collector.ingest.clockSkewSeconds. Optional:
   * agents before it send none.
   */
  sentAt: isoTime.optional(),
  events: z.array(agentEventSchema).min(1).max(1000),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

export interface EventBatchReply {
  accepted: number;
  duplicates: number;
}
