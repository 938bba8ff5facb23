/**
 * /api/v1/inspections and /api/v1/hazards. Facility managers, engineers and admins fill rounds and
 * take hazard steps (the domain checks each step's role too); the client auditor reads. A request may
 * carry a `clientId`: a resend with the same id (a phone's offline queue) answers the first result
 * and changes nothing.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { CollectorContext } from "../context.ts";
import { type DomainError, formatInstant, parsePeriod, parseInstant, quarterOf } from "../domain/index.ts";
import type { Actor, HazardCommand, RoundCommand } from "../domain/inspections/index.ts";
import { type InspectionService, newHazardId } from "../inspections/service.ts";
import type { Allow } from "./auth.ts";
import { READERS } from "./auth.ts";
import { presentHazard, presentRound } from "./inspections-present.ts";
import { parseBody, queryProblem } from "./validate.ts";

// One value per parameter: `?status=a&status=b` is a 400, not an array handed to SQLite (a 500).
const periodQuery = z.strictObject({ period: z.string().optional() });
const hazardsQuery = z.strictObject({ status: z.string().optional(), open: z.string().optional() });

const FILL: Allow = { roles: ["facility_manager", "engineer"] };
const MANAGE: Allow = { roles: ["facility_manager"] };
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_PHOTO_BYTES = 8 * 1024 * 1024;

const STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  BAD_ANSWER: 400,
  BAD_REQUEST: 400,
  INVALID_PERIOD: 400,
  SAME_PERSON: 409,
};

function sendError(reply: FastifyReply, e: DomainError): FastifyReply {
  return reply.code(STATUS[e.code] ?? 409).send({ error: e.code, message: e.message });
}

const clientId = z.string().regex(/^[A-Za-z0-9_.:-]{8,100}$/, "expected 8–100 letters, digits, _ . : -").optional();
const instant = z
  .string()
  .refine((s) => parseInstant(s) !== undefined, "expected ISO 8601 with an offset, e.g. 2026-12-01T09:10:00+08:00")
  .optional();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected the sha256 of an uploaded photo (64 hex digits)");

export const answerBody = z.strictObject({
  clientId,
  /** When the inspector answered (offline answers arrive later); default now. */
  at: instant,
  stop: z.string().min(1),
  item: z.string().min(1),
  value: z.union([z.boolean(), z.number(), z.string().max(4000)]),
  prefilled: z.strictObject({ device: z.string(), reading: z.string(), value: z.number() }).optional(),
});

/** The command's time: the client's (offline) time when plausible, else now. */
export function commandTime(at: string | undefined, firedAt: number, now: number): number | DomainError {
  if (at === undefined) return now;
  const v = parseInstant(at)!;
  if (v > now + 5 * 60_000) return { code: "BAD_REQUEST", message: `at ${at} is in the future` };
  if (v < firedAt) return { code: "BAD_REQUEST", message: `at ${at} is before the round was scheduled` };
  return v;
}

export interface Answered {
  status: number;
  body: unknown;
  replay?: boolean;
}

/** Runs a mutating request once per clientId: a resend answers what the first one answered. */
export async function runOnce(
  svc: InspectionService,
  who: string,
  id: string | undefined,
  now: number,
  run: () => Promise<Answered> | Answered,
): Promise<Answered> {
  if (id) {
    const seen = await svc.rows.request(id);
    if (seen) {
      if (seen.actor !== who)
        return { status: 409, body: { error: "CLIENT_ID_USED", message: `client id ${id} was used by someone else` } };
      return { status: seen.status, body: seen.response, replay: true };
    }
  }
  const out = await run();
  if (id && out.status < 500) await svc.rows.rememberRequest(id, who, now, out.status, out.body);
  return out;
}

export type RoundCommandBuilder<B> = (
  b: B,
  at: number,
  by: Actor,
  params: Record<string, string>,
) => RoundCommand | DomainError | Promise<RoundCommand | DomainError>;

/** One round action for a person (API or web UI): find the round, time the command, apply it, present it. */
export function roundActionOutcome<B extends { clientId?: string; at?: string }>(
  ctx: CollectorContext,
  by: Actor,
  roundId: string,
  params: Record<string, string>,
  body: B,
  command: RoundCommandBuilder<B>,
): Promise<Answered> {
  const svc = ctx.inspections;
  const now = ctx.clock.now();
  return runOnce(svc, by.name, body.clientId, now, async () => {
    const round = await svc.rows.round(roundId);
    if (!round) return { status: 404, body: { error: "NOT_FOUND", message: `no round ${roundId}` } };
    const at = commandTime(body.at, round.firedAt, now);
    if (typeof at !== "number") return { status: 400, body: { error: at.code, message: at.message } };
    const cmd = await command(body, at, by, params);
    if (!("type" in cmd)) return { status: STATUS[cmd.code] ?? 409, body: { error: cmd.code, message: cmd.message } };
    const res = await svc.act(round.id, cmd);
    if (!res.ok) return { status: STATUS[res.error.code] ?? 409, body: { error: res.error.code, message: res.error.message } };
    return { status: 200, body: { round: await presentRound(res.value, svc, ctx, now) } };
  });
}

/** The check-in command: with the code printed on the round's QR sheet it proves presence ("qr"). */
export const checkinCommand =
  (svc: InspectionService): RoundCommandBuilder<{ code?: string }> =>
  async (b, at, by, params) => {
    const round = (await svc.rows.round(params.id!))!;
    if (b.code !== undefined && b.code !== svc.checkinCode(round, params.stop!))
      return { code: "BAD_REQUEST", message: "this QR code is not for this stop of this round" };
    return { type: "checkin", at, by, stop: params.stop!, via: b.code !== undefined ? "qr" : "manual" };
  };

export const answerCommand: RoundCommandBuilder<z.output<typeof answerBody>> = (b, at, by) => ({
  type: "answer",
  at,
  by,
  stop: b.stop,
  item: b.item,
  value: b.value,
  prefilled: b.prefilled,
});

export const photoCommand =
  (svc: InspectionService): RoundCommandBuilder<{ stop: string; item?: string; sha256: string }> =>
  async (b, at, by) =>
    (await svc.rows.hasPhoto(b.sha256))
      ? { type: "photo", at, by, stop: b.stop, item: b.item, hash: b.sha256 }
      : { code: "BAD_REQUEST", message: `no photo ${b.sha256}: upload it first` };

/** Stores an uploaded photo under its sha256 (a resend stores nothing new) and audits the first upload. */
export async function storePhoto(ctx: CollectorContext, by: string, type: string, body: unknown): Promise<Answered> {
  if (!PHOTO_TYPES.includes(type) || !Buffer.isBuffer(body) || body.length === 0)
    return {
      status: 400,
      body: { error: "BAD_REQUEST", message: `send the photo as the body, Content-Type one of ${PHOTO_TYPES.join(", ")}` },
    };
  const hash = createHash("sha256").update(body).digest("hex");
  const now = ctx.clock.now();
  const fresh = await ctx.inspections.rows.putPhoto(hash, type, body, by, now);
  if (fresh)
    await ctx.store.appendAudit([{ at: now, actor: by, action: "inspection.photo_upload", detail: { sha256: hash, bytes: body.length, type } }]);
  return { status: fresh ? 201 : 200, body: { sha256: hash, bytes: body.length } };
}

/** The first of these photos not uploaded yet. */
export async function firstMissingPhoto(svc: InspectionService, photos: readonly string[]): Promise<string | undefined> {
  for (const p of photos) if (!(await svc.rows.hasPhoto(p))) return p;
  return undefined;
}

export const PHOTO_BODY = { types: PHOTO_TYPES, maxBytes: MAX_PHOTO_BYTES };

export const photoBody = z.strictObject({ clientId, at: instant, stop: z.string().min(1), item: z.string().optional(), sha256 });
export const annotationBody = z.strictObject({ clientId, at: instant, text: z.string().min(1).max(4000) });

function actor(req: FastifyRequest): Actor {
  const p = req.principal!;
  if (p.kind !== "user") throw new Error("inspection routes are for users");
  return { name: p.name, role: p.role };
}

export async function inspectionRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  const svc = ctx.inspections;
  const tz = ctx.policy.timezone;
  const now = () => ctx.clock.now();

  async function once(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string | undefined,
    run: () => Promise<Answered> | Answered,
  ): Promise<FastifyReply> {
    const out = await runOnce(svc, actor(req).name, id, now(), run);
    if (out.replay) reply.header("x-watchfloor-replay", "1");
    return reply.code(out.status).send(out.body);
  }

  function roundAction<B extends { clientId?: string; at?: string }>(
    path: string,
    allow: Allow,
    body: z.ZodType<B>,
    command: RoundCommandBuilder<B>,
  ) {
    app.post<{ Params: Record<string, string> }>(`/api/v1/inspections/rounds/:id/${path}`, { config: { allow } }, async (req, reply) => {
      const b = parseBody(body, req.body, reply);
      if (b === undefined) return reply;
      const out = await roundActionOutcome(ctx, actor(req), req.params.id!, req.params, b, command);
      if (out.replay) reply.header("x-watchfloor-replay", "1");
      return reply.code(out.status).send(out.body);
    });
  }

  app.get("/api/v1/inspections/templates", { config: { allow: READERS } }, async () => ({
    templates: svc.allTemplates().map((t) => ({ ...t, schedule: t.schedule.text, dueSeconds: t.due })),
  }));

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/api/v1/inspections/rounds",
    { config: { allow: READERS } },
    async (req, reply) => {
      const q = z
        .strictObject({
          period: z.string().optional(),
          template: z.string().optional(),
          state: z.enum(["due", "overdue", "done_on_time", "done_late", "open"]).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        })
        .safeParse(req.query);
      if (!q.success) return reply.code(400).send({ error: "bad_request", message: q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
      let from: number | undefined;
      let to: number | undefined;
      if (q.data.period) {
        const p = parsePeriod(q.data.period, tz);
        if (!("start" in p)) return sendError(reply, p);
        from = p.start;
        to = p.end;
      }
      const t = now();
      const rows = await svc.rows.rounds({ from, to, template: q.data.template, open: q.data.state === "open", limit: q.data.limit ?? 200 });
      const rounds = (await Promise.all(rows.map((r) => presentRound(r, svc, ctx, t))))
        .filter((r) => !q.data.state || q.data.state === "open" || r.state === q.data.state);
      return { rounds };
    },
  );

  app.get<{ Params: { id: string } }>("/api/v1/inspections/rounds/:id", { config: { allow: READERS } }, async (req, reply) => {
    const r = await svc.rows.round(req.params.id);
    if (!r) return reply.code(404).send({ error: "NOT_FOUND", message: `no round ${req.params.id}` });
    const timeline = (await svc.rows.roundAudit(r.id)).map((e) => ({ ...e, at: formatInstant(e.at, tz) }));
    return { round: await presentRound(r, svc, ctx, now(), await svc.suggestions(r)), timeline };
  });

  const base = { clientId, at: instant };
  roundAction("claim", FILL, z.strictObject(base), (_b, at, by) => ({ type: "claim", at, by }));
  roundAction("assign", MANAGE, z.strictObject({ ...base, to: z.string().min(1) }), (b, at, by) => ({ type: "assign", at, by, to: b.to }));
  roundAction("stops/:stop/checkin", FILL, z.strictObject({ ...base, code: z.string().max(100).optional() }), checkinCommand(svc));
  roundAction("answers", FILL, answerBody, answerCommand);
  roundAction("photos", FILL, photoBody, photoCommand(svc));
  roundAction("finish", FILL, z.strictObject(base), (_b, at, by) => ({ type: "finish", at, by }));
  roundAction("annotations", FILL, annotationBody, (b, at, by) => ({ type: "annotate", at, by, text: b.text }));

  // Photos: the body is the image itself; it is stored under its sha256, so a resend stores nothing new.
  app.register(async (photos) => {
    photos.addContentTypeParser(PHOTO_TYPES, { parseAs: "buffer", bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body));
    photos.post("/api/v1/inspections/photos", { config: { allow: FILL } }, async (req, reply) => {
      const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim();
      const out = await storePhoto(ctx, actor(req).name, type, req.body);
      return reply.code(out.status).send(out.body);
    });
  });

  app.get<{ Params: { sha256: string } }>("/api/v1/inspections/photos/:sha256", { config: { allow: READERS } }, async (req, reply) => {
    const p = await svc.rows.photo(req.params.sha256);
    if (!p) return reply.code(404).send({ error: "NOT_FOUND", message: "no such photo" });
    return reply.header("content-type", p.mime).header("cache-control", "private, max-age=31536000, immutable").send(p.bytes);
  });

  /** The period's inspection summary for the KPI report (default: the current quarter). */
  app.get("/api/v1/inspections/summary", { config: { allow: READERS } }, async (req, reply) => {
    const q = periodQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: "BAD_REQUEST", message: queryProblem(q.error) });
    const p = parsePeriod(q.data.period ?? quarterOf(now(), tz), tz);
    if (!("start" in p)) return sendError(reply, p);
    return {
      summary: await svc.summary(p),
      period: { label: p.label, start: formatInstant(p.start, tz), end: formatInstant(p.end, tz) },
      generatedAt: formatInstant(now(), tz),
    };
  });

  // Hazards.
  app.get("/api/v1/hazards", { config: { allow: READERS } }, async (req, reply) => {
    const q = hazardsQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: "BAD_REQUEST", message: queryProblem(q.error) });
    const t = now();
    return { hazards: (await svc.rows.hazards({ open: q.data.open === "true", status: q.data.status })).map((h) => presentHazard(h, tz, t)) };
  });

  app.get<{ Params: { id: string } }>("/api/v1/hazards/:id", { config: { allow: READERS } }, async (req, reply) => {
    const h = await svc.rows.hazard(req.params.id);
    if (!h) return reply.code(404).send({ error: "NOT_FOUND", message: `no hazard ${req.params.id}` });
    return { hazard: presentHazard(h, tz, now()) };
  });

  const reportBody = z.strictObject({
    clientId,
    title: z.string().min(1).max(500),
    location: z.string().min(1).max(500),
    description: z.string().max(4000).optional(),
    roundId: z.string().optional(),
    photos: z.array(sha256).max(20).default([]),
  });
  app.post("/api/v1/hazards", { config: { allow: FILL } }, async (req, reply) => {
    const b = parseBody(reportBody, req.body, reply);
    if (!b) return reply;
    return once(req, reply, b.clientId, async () => {
      const missing = await firstMissingPhoto(svc, b.photos);
      if (missing) return { status: 400, body: { error: "BAD_REQUEST", message: `no photo ${missing}: upload it first` } };
      const res = await svc.hazard(undefined, { type: "report", at: now(), by: actor(req), id: newHazardId(), ...b });
      if (!res.ok) return { status: STATUS[res.error.code] ?? 409, body: { error: res.error.code, message: res.error.message } };
      return { status: 201, body: { hazard: presentHazard(res.value, tz, now()) } };
    });
  });

  const steps: Array<{ path: string; body: z.ZodType; command: (b: never, at: number, by: Actor) => HazardCommand }> = [
    {
      path: "start-fix",
      body: z.strictObject({ clientId, note: z.string().max(4000).optional() }),
      command: (b: { note?: string }, at, by) => ({ type: "start_fix", at, by, note: b.note }),
    },
    {
      path: "fix",
      body: z.strictObject({ clientId, note: z.string().max(4000).optional(), photos: z.array(sha256).min(1).max(20) }),
      command: (b: { note?: string; photos: string[] }, at, by) => ({ type: "record_fix", at, by, note: b.note, photos: b.photos }),
    },
    {
      path: "check",
      body: z.strictObject({ clientId, accept: z.boolean(), note: z.string().max(4000).optional() }),
      command: (b: { accept: boolean; note?: string }, at, by) => ({ type: "check_fix", at, by, accept: b.accept, note: b.note }),
    },
    {
      path: "close",
      body: z.strictObject({ clientId, note: z.string().max(4000).optional() }),
      command: (b: { note?: string }, at, by) => ({ type: "close", at, by, note: b.note }),
    },
  ];
  for (const step of steps)
    app.post<{ Params: { id: string } }>(`/api/v1/hazards/:id/${step.path}`, { config: { allow: FILL } }, async (req, reply) => {
      const b = parseBody(step.body, req.body, reply) as { clientId?: string; photos?: string[] } | undefined;
      if (!b) return reply;
      return once(req, reply, b.clientId, async () => {
        const missing = await firstMissingPhoto(svc, b.photos ?? []);
        if (missing) return { status: 400, body: { error: "BAD_REQUEST", message: `no photo ${missing}: upload it first` } };
        const res = await svc.hazard(req.params.id, step.command(b as never, now(), actor(req)));
        if (!res.ok) return { status: STATUS[res.error.code] ?? 409, body: { error: res.error.code, message: res.error.message } };
        return { status: 200, body: { hazard: presentHazard(res.value, tz, now()) } };
      });
    });
}
