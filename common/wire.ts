import { z } from "zod";

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
  labels: z.record(z.string(), z.string()).default({}),
  state: z.enum(["firing", "clear"]),
  /** Device-side time the change was first observed (before debounce confirmed it). */
  observedAt: isoTime,
  title: z.string().optional(),
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
  events: z.array(agentEventSchema).min(1).max(1000),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

export interface EventBatchReply {
  accepted: number;
  duplicates: number;
}
