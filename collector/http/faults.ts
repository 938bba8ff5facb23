import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Command, Fault } from "../domain/index.ts";
import { parsePeriod } from "../domain/index.ts";
import type { CollectorContext } from "../context.ts";
import { newFaultId } from "../fault-service.ts";
import { actorOf, type Allow, READERS } from "./auth.ts";
import { presentFault, sendDomainError } from "./present.ts";
import { parseBody, queryProblem } from "./validate.ts";

const faultClass = z.enum(["major", "severe", "general"]);
const ENGINEER: Allow = { roles: ["engineer", "facility_manager"] };
const MANAGER: Allow = { roles: ["facility_manager"] };
const CLIENT: Allow = { roles: ["client_auditor"] };

const listQuery = z.strictObject({
  status: z.enum(["open", "acknowledged", "resolved", "closed", "folded", "active"]).optional(),
  class: faultClass.optional(),
  device: z.string().optional(),
  period: z.string().optional(),
});

/** Human actions on a fault: the path names the fault, the token names the actor (never the body). */
const actions: Array<{
  path: string;
  allow: Allow;
  body: z.ZodType;
  command: (fault: string, body: never, at: number, by: string) => Command;
}> = [
  {
    path: "ack",
    allow: ENGINEER,
    body: z.strictObject({ note: z.string().max(2000).optional() }),
    command: (fault, b: { note?: string }, at, by) => ({ type: "ack", fault, at, by, note: b.note }),
  },
  {
    path: "resolve",
    allow: ENGINEER,
    body: z.strictObject({ note: z.string().max(2000).optional() }),
    command: (fault, b: { note?: string }, at, by) => ({ type: "resolve", fault, at, by, note: b.note }),
  },
  {
    path: "close",
    allow: ENGINEER,
    body: z.strictObject({}),
    command: (fault, _b, at, by) => ({ type: "close", fault, at, by }),
  },
  {
    path: "comments",
    allow: ENGINEER,
    body: z.strictObject({ text: z.string().min(1).max(4000) }),
    command: (fault, b: { text: string }, at, by) => ({ type: "comment", fault, at, by, text: b.text }),
  },
  {
    path: "reclassify",
    allow: MANAGER,
    body: z.strictObject({ class: faultClass, reason: z.string().min(1).max(2000) }),
    command: (fault, b: { class: "major" | "severe" | "general"; reason: string }, at, by) => ({
      type: "reclassify",
      fault,
      at,
      by,
      class: b.class,
      reason: b.reason,
    }),
  },
  {
    path: "exemption",
    allow: ENGINEER,
    body: z.strictObject({ reason: z.string().min(1).max(4000), evidence: z.string().max(4000).optional() }),
    command: (fault, b: { reason: string; evidence?: string }, at, by) => ({
      type: "exempt",
      fault,
      at,
      by,
      reason: b.reason,
      evidence: b.evidence,
    }),
  },
  {
    path: "exemption/approve",
    allow: CLIENT,
    body: z.strictObject({ reason: z.string().max(2000).optional() }),
    command: (fault, b: { reason?: string }, at, by) => ({ type: "approve", fault, at, by, reason: b.reason }),
  },
  {
    path: "exemption/reject",
    allow: CLIENT,
    body: z.strictObject({ reason: z.string().min(1).max(2000) }),
    command: (fault, b: { reason: string }, at, by) => ({ type: "reject", fault, at, by, reason: b.reason }),
  },
];

export async function faultRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  const now = () => ctx.clock.now();

  app.get("/api/v1/faults", { config: { allow: READERS } }, async (req, reply) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: "bad_request", message: queryProblem(q.error) });
    let period: { start: number; end: number } | undefined;
    if (q.data.period) {
      const p = parsePeriod(q.data.period, ctx.policy.timezone);
      if (!("start" in p)) return sendDomainError(reply, p);
      period = p;
    }
    // Folded children are part of their parent's fault; they are listed only when asked for.
    const match = (f: Fault) =>
      (q.data.status === "folded" || f.status !== "folded") &&
      (!q.data.status || (q.data.status === "active" ? f.status === "open" || f.status === "acknowledged" : f.status === q.data.status)) &&
      (!q.data.class || f.class === q.data.class) &&
      (!q.data.device || f.device === q.data.device) &&
      (!period || (f.openedAt >= period.start && f.openedAt < period.end));
    const t = now();
    const st = q.data.status;
    const openOnly = st === "open" || st === "acknowledged" || st === "active";
    // Open and acknowledged faults are never archived: asking for them reads the live faults only, at
    // a cost that does not grow with years of resolved ones; a period reads its own range of the archive.
    const faults = (openOnly ? ctx.faults.liveFaults() : await ctx.faults.faults(period))
      .filter(match)
      // Ties by id: the order of state.faults changes when faults are archived; the list must not.
      .sort((a, b) => b.openedAt - a.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((f) => presentFault(f, t, ctx.policy));
    return { faults };
  });

  app.get<{ Params: { id: string } }>("/api/v1/faults/:id", { config: { allow: READERS } }, async (req, reply) => {
    const fault = await ctx.faults.fault(req.params.id);
    if (!fault) return reply.code(404).send({ error: "FAULT_NOT_FOUND", message: `no fault ${req.params.id}` });
    const timeline = (await ctx.store.audit({ faultId: fault.id })).map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, detail: e.detail }));
    return { fault: presentFault(fault, now(), ctx.policy), timeline };
  });

  app.post("/api/v1/faults", { config: { allow: ENGINEER } }, async (req, reply) => {
    const body = parseBody(
      z.strictObject({ device: z.string().min(1), class: faultClass, title: z.string().min(1).max(500) }),
      req.body,
      reply,
    );
    if (!body) return reply;
    const faultId = newFaultId();
    const res = await ctx.faults.dispatch({ type: "open", at: now(), faultId, device: body.device, class: body.class, title: body.title, by: actorOf(req) });
    if (!res.ok) return sendDomainError(reply, res.error);
    return reply.code(201).send({ fault: presentFault(ctx.faults.liveFault(faultId)!, now(), ctx.policy) });
  });

  for (const action of actions) {
    app.post<{ Params: { id: string } }>(
      `/api/v1/faults/:id/${action.path}`,
      { config: { allow: action.allow } },
      async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
        const body = parseBody(action.body, req.body, reply);
        if (body === undefined) return reply;
        const res = await ctx.faults.dispatch(action.command(req.params.id, body as never, now(), actorOf(req)));
        if (!res.ok) return sendDomainError(reply, res.error);
        return { fault: presentFault((await ctx.faults.fault(req.params.id))!, now(), ctx.policy) };
      },
    );
  }
}
