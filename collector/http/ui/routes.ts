/**
 * The collector's web UI (/ui): server-rendered HTML, no scripts. Login exchanges an API token for a
 * session cookie; every other page needs it. Actions go through the same fault service as the API,
 * with the logged-in user as actor and the role checked here, server-side.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CollectorContext } from "../../context.ts";
import { PUBLIC } from "../auth.ts";
import { kpiFor, parsePeriod, quarterOf } from "../../domain/index.ts";
import type { PagingService } from "../../paging/service.ts";
import type { Role } from "../../store/store.ts";
import { renderBoard } from "./board.ts";
import { renderFault } from "./fault-page.ts";
import { type Lang, languageOf, WORDS } from "./i18n.ts";
import { esc, type Frame, layout, message } from "./layout.ts";
import {
  originAllowed,
  readCookie,
  SESSION_COOKIE,
  sameSecret,
  setCookie,
  type UiSession,
  UiSessions,
} from "./session.ts";

export type UiDeps = CollectorContext & { paging?: PagingService };

interface UiUser {
  name: string;
  role: Role;
  session: UiSession;
}

declare module "fastify" {
  interface FastifyRequest {
    uiUser?: UiUser;
  }
}

/** Who may acknowledge and resolve from the UI (the API's rule for these actions, admin included). */
const ACTORS: readonly Role[] = ["engineer", "facility_manager", "admin"];
const NOTE_MAX = 2000;

const css = readFileSync(new URL("./style.css", import.meta.url), "utf8");

function sendPage(reply: FastifyReply, status: number, frame: Frame, body: string): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(layout(frame, body));
}

function field(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" ? v : undefined;
}

function loginForm(lang: Lang, error?: string): string {
  const w = WORDS[lang];
  return (
    `<section class="login">${error ? message("error", error) : `<p>${esc(w.loginHint)}</p>`}` +
    `<form method="post" action="/ui/login"><label for="token">${esc(w.tokenLabel)}</label>` +
    `<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>` +
    `<button type="submit" id="login">${esc(w.login)}</button></form></section>`
  );
}

export async function uiRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const sessions = new UiSessions();
  const now = () => deps.clock.now();
  const secure = (req: FastifyRequest) => req.protocol === "https";

  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    // Not "no-referrer": with it Chromium sends "Origin: null" on form posts and the origin check fails.
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    reply.header(
      "content-security-policy",
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  const frame = (req: FastifyRequest, lang: Lang, title: string, path?: string): Frame => {
    const u = req.uiUser;
    return {
      lang,
      w: WORDS[lang],
      title,
      path: path ?? req.url.split("?")[0]!,
      ...(u ? { user: { name: u.name, role: u.role, csrf: u.session.csrf } } : {}),
    };
  };

  app.get("/", { config: { allow: PUBLIC.uiLogin } }, async (_req, reply) => reply.redirect("/ui", 302));
  app.get("/ui/", { config: { allow: PUBLIC.uiLogin } }, async (_req, reply) => reply.redirect("/ui", 302));

  app.get("/ui/style.css", { config: { allow: PUBLIC.uiLogin } }, async (_req, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "max-age=300").send(css),
  );

  app.get("/ui/login", { config: { allow: PUBLIC.uiLogin } }, async (req, reply) => {
    const lang = languageOf(req, reply);
    return sendPage(reply, 200, frame(req, lang, WORDS[lang].login), loginForm(lang));
  });

  app.post("/ui/login", { config: { allow: PUBLIC.uiLogin } }, async (req, reply) => {
    const lang = languageOf(req, reply);
    if (!originAllowed(req))
      return sendPage(
        reply,
        403,
        frame(req, lang, WORDS[lang].login),
        loginForm(lang, WORDS[lang].forbidden),
      );
    const token = field(req.body, "token")?.trim() ?? "";
    const user = token ? deps.store.userByToken(token) : undefined;
    if (!user)
      return sendPage(
        reply,
        401,
        frame(req, lang, WORDS[lang].login),
        loginForm(lang, WORDS[lang].wrongToken),
      );
    const session = sessions.create(token, now());
    setCookie(reply, SESSION_COOKIE, session.id, { httpOnly: true, secure: secure(req) });
    deps.logger.info({ user: user.name, role: user.role }, "web UI login");
    return reply.redirect("/ui", 303);
  });

  // Everything below needs a live session; a POST also needs the session's CSRF token and a same-site Origin.
  await app.register(async (pages) => {
    pages.addHook("preHandler", async (req, reply) => {
      const session = sessions.get(readCookie(req, SESSION_COOKIE), now());
      // The token is looked up on every request, so a rotated or replaced token ends the session.
      const user = session ? deps.store.userByToken(session.token) : undefined;
      if (!session || !user) {
        if (session) sessions.delete(session.id);
        return reply.redirect("/ui/login", req.method === "GET" ? 302 : 303);
      }
      req.uiUser = { ...user, session };
      if (
        req.method === "POST" &&
        (!originAllowed(req) || !sameSecret(field(req.body, "csrf"), session.csrf))
      ) {
        const lang = languageOf(req, reply);
        return sendPage(
          reply,
          403,
          frame(req, lang, WORDS[lang].forbidden, "/ui"),
          message("error", WORDS[lang].csrf),
        );
      }
    });

    pages.get("/ui", { config: { allow: PUBLIC.uiSession } }, async (req, reply) => {
      const lang = languageOf(req, reply);
      const t = now();
      const tz = deps.policy.timezone;
      const period = parsePeriod(quarterOf(t, tz), tz);
      if (!("start" in period)) throw new Error(`current quarter did not parse: ${period.message}`);
      const oncall = deps.paging
        ? { dutyDay: deps.paging.dutyDay(t).date, roles: deps.paging.onCall(t) }
        : undefined;
      const faults = deps.faults.faults();
      const body = renderBoard(
        { oncall, faults, kpi: kpiFor(period, faults, deps.policy, t), now: t, policy: deps.policy },
        lang,
        WORDS[lang],
      );
      return sendPage(reply, 200, { ...frame(req, lang, WORDS[lang].board), refreshSeconds: 30 }, body);
    });

    const faultPage = (
      req: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      status: number,
      error?: string,
    ) => {
      const lang = languageOf(req, reply);
      const w = WORDS[lang];
      const path = `/ui/faults/${encodeURIComponent(req.params.id)}`;
      const fault = deps.faults.fault(req.params.id);
      if (!fault)
        return sendPage(
          reply,
          404,
          frame(req, lang, w.notFound, path),
          `<p><a href="/ui">${esc(w.back)}</a></p>`,
        );
      const user = req.uiUser!;
      const body = renderFault(
        {
          fault,
          timeline: deps.store.audit({ faultId: fault.id }),
          now: now(),
          policy: deps.policy,
          canAct: ACTORS.includes(user.role),
          csrf: user.session.csrf,
          ...(error ? { error } : {}),
        },
        lang,
        w,
      );
      return sendPage(reply, status, frame(req, lang, fault.title, path), body);
    };

    pages.get<{ Params: { id: string } }>("/ui/faults/:id", { config: { allow: PUBLIC.uiSession } }, async (req, reply) => faultPage(req, reply, 200));

    for (const action of ["ack", "resolve"] as const) {
      pages.post<{ Params: { id: string } }>(`/ui/faults/:id/${action}`, { config: { allow: PUBLIC.uiSession } }, async (req, reply) => {
        const user = req.uiUser!;
        const lang = languageOf(req, reply);
        if (!ACTORS.includes(user.role)) return faultPage(req, reply, 403, WORDS[lang].forbidden);
        const note = field(req.body, "note")?.trim() || undefined;
        if (note && note.length > NOTE_MAX)
          return faultPage(req, reply, 400, `note: at most ${NOTE_MAX} characters`);
        const res = deps.faults.dispatch({
          type: action,
          fault: req.params.id,
          at: now(),
          by: user.name,
          note,
        });
        if (!res.ok) {
          const status = res.error.code.endsWith("NOT_FOUND") ? 404 : 409;
          return faultPage(req, reply, status, res.error.message);
        }
        return reply.redirect(`/ui/faults/${encodeURIComponent(req.params.id)}`, 303);
      });
    }

    pages.post("/ui/logout", { config: { allow: PUBLIC.uiSession } }, async (req, reply) => {
      sessions.delete(req.uiUser!.session.id);
      setCookie(reply, SESSION_COOKIE, "", { httpOnly: true, secure: secure(req), maxAgeSeconds: 0 });
      return reply.redirect("/ui/login", 303);
    });
  });
}
