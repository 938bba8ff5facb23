import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { CollectorContext } from "../context.ts";
import { formatInstant } from "../domain/index.ts";
import { alertmanagerPayloadSchema, alertToCommand } from "../paging/alertmanager.ts";
import type { PagingService } from "../paging/service.ts";
import { DELIVERY_STATUSES } from "../paging/queue.ts";
import { type Allow, PUBLIC, READERS } from "./auth.ts";
import { ackConfirmPage, ackResultPage } from "./ui/ack-page.tsx";
import { faultTitle } from "./ui/conditions.ts";
import { parseBody, queryProblem } from "./validate.ts";

/** Pages name people and their numbers: staff only, not the client. */
const STAFF: Allow = { roles: ["engineer", "facility_manager"] };

const pagesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  fault: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});


function page(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .send(html);
}

const ACK_REFUSED = {
  malformed: "链接无效 (invalid link)",
  bad_signature: "链接无效 (invalid link)",
  expired: "链接已过期 (link expired)",
  not_found: "链接无效 (invalid link)",
} as const;

const ACK_RESULT = {
  zh: {
    acknowledged: "已确认",
    already: "此前已确认或已处理",
    not_found: "未找到",
    refused: "未能确认",
    earlier: "未确认：此链接针对较早的一次发生 (this link is for an earlier occurrence)",
  },
  en: {
    acknowledged: "acknowledged",
    already: "already acknowledged or handled",
    not_found: "not found",
    refused: "not acknowledged",
    earlier: "not acknowledged: this link is for an earlier occurrence",
  },
} as const;

type AckRequest = { Params: { "*": string }; Querystring: { lang?: string } };

/** The acknowledge page's language (?lang=en, else Chinese) and its own path for the language link. */
function ackView(req: FastifyRequest<AckRequest>): { lang: "zh" | "en"; path: string } {
  return { lang: req.query.lang === "en" ? "en" : "zh", path: `/ack/${req.params["*"]}` };
}

/** A link whose faults have all reopened since the page: it answers nothing of the new occurrence. */
const EARLIER = "此链接针对该故障较早的一次发生，不能确认本次 (this link is for an earlier occurrence)";

/**
 * On-call, deliveries, the Alertmanager receiver (/api, behind the auth hook) and the acknowledge
 * link (/ack/:token, outside /api: the signed, expiring token is its authentication).
 */
export async function pagingRoutes(
  app: FastifyInstance,
  ctx: CollectorContext & { paging?: PagingService },
): Promise<void> {
  const { paging } = ctx;
  const notConfigured = (reply: FastifyReply) =>
    reply
      .code(404)
      .send({ error: "not_configured", message: "paging is not configured (collector.notifications)" });

  app.get("/api/v1/oncall", { config: { allow: READERS } }, async (_req, reply) => {
    if (!paging) return notConfigured(reply);
    const now = ctx.clock.now();
    return {
      at: formatInstant(now, ctx.policy.timezone),
      duty_day: paging.dutyDay(now).date,
      roles: paging.onCall(now),
    };
  });

  app.get("/api/v1/pages", { config: { allow: STAFF } }, async (req, reply) => {
    if (!paging) return notConfigured(reply);
    const q = pagesQuery.safeParse(req.query);
    if (!q.success)
      return reply.code(400).send({ error: "bad_request", message: queryProblem(q.error) });
    const iso = (t: number | undefined) =>
      t === undefined ? undefined : formatInstant(t, ctx.policy.timezone);
    return {
      pages: (await paging.queue.list(q.data)).map((d) => ({
        id: d.id,
        person: d.person,
        kind: d.kind,
        faults: d.faultIds,
        title: d.message.title,
        status: d.status,
        channel: d.channels[d.channelIndex],
        channels: d.channels,
        attempts: d.attempts,
        created_at: iso(d.createdAt),
        next_attempt_at: d.status === "pending" ? iso(d.nextAttemptAt) : undefined,
        sent_at: iso(d.sentAt),
        sent_channel: d.sentChannel,
        last_error: d.lastError,
        history: d.history.map((a) => ({ ...a, at: iso(a.at) })),
      })),
    };
  });

  app.post(
    "/api/v1/alertmanager",
    { config: { allow: { agents: true } }, bodyLimit: 4 * 1024 * 1024 },
    async (req, reply) => {
      const payload = parseBody(alertmanagerPayloadSchema, req.body, reply);
      if (!payload) return reply;
      const principal = req.principal!;
      const source = principal.kind === "agent" ? principal.id : "alertmanager";
      const out = {
        accepted: 0,
        duplicates: 0,
        rejected: [] as Array<{ fingerprint: string; reason: string }>,
      };
      const now = ctx.clock.now();
      for (const alert of payload.alerts) {
        const conv = alertToCommand(alert);
        if (!conv.ok) {
          out.rejected.push({ fingerprint: conv.fingerprint, reason: conv.reason });
          continue;
        }
        // The alert's id and its effect commit together (the engine's transaction).
        await ctx.faults.transaction(async (batch) => {
          if (!(await batch.store.rememberEvent(conv.command.eventId, source, "alertmanager", now, alert))) {
            out.duplicates += 1;
            return;
          }
          const res = batch.dispatch(conv.command);
          if (res.ok) out.accepted += 1;
          else out.rejected.push({ fingerprint: alert.fingerprint, reason: res.error.message });
        });
      }
      return out;
    },
  );

  app.register(async (ack) => {
    // A browser form posts an empty urlencoded body; there is nothing in it to read.
    ack.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string" },
      (_req, _body, done) => done(null, {}),
    );

    // A wildcard, not ":token": fastify caps path parameters at 100 characters and a token is longer.
    // GET only shows a button: chat apps fetch links to preview them, and a preview must not acknowledge.
    ack.get<AckRequest>("/ack/*", { config: { allow: PUBLIC.ackLink } }, async (req, reply) => {
      if (!paging) return notConfigured(reply);
      const view = ackView(req);
      const link = await paging.ackLink(req.params["*"]);
      if (!link.ok)
        return page(reply, link.reason === "expired" ? 410 : 403, ackResultPage({ title: ACK_REFUSED[link.reason], lines: [], ...view }));
      const current = link.faults.filter((f) => !f.earlier);
      if (current.length === 0) return page(reply, 409, ackResultPage({ title: EARLIER, lines: [], ...view }));
      return page(
        reply,
        200,
        ackConfirmPage({
          person: paging.personName(link.person) ?? link.person,
          faults: current,
          inventory: ctx.inventory,
          ...view,
        }),
      );
    });

    ack.post<AckRequest>("/ack/*", { config: { allow: PUBLIC.ackLink } }, async (req, reply) => {
      if (!paging) return notConfigured(reply);
      const view = ackView(req);
      const res = await paging.ackByToken(req.params["*"]);
      if (!res.ok)
        return page(reply, res.reason === "expired" ? 410 : 403, ackResultPage({ title: ACK_REFUSED[res.reason], lines: [], ...view }));
      const WORDS = ACK_RESULT[view.lang];
      const faults = await ctx.faults.faultsById(res.faults.map((r) => r.id));
      const lines = res.faults.map((r) => {
        const f = faults.get(r.id);
        const name = f ? faultTitle(f, ctx.inventory, view.lang) : r.id;
        const by = r.by ? `（${paging.personName(r.by) ?? r.by}）` : "";
        return { text: `${name}：${WORDS[r.result]}${by}${r.message ? ` ${r.message}` : ""}`, ok: r.result === "acknowledged" };
      });
      const allEarlier = res.faults.length > 0 && res.faults.every((r) => r.result === "earlier");
      const title = allEarlier ? EARLIER : view.lang === "en" ? "Result" : "确认结果";
      return page(reply, allEarlier ? 409 : 200, ackResultPage({ title, lines, ...view }));
    });
  });
}
