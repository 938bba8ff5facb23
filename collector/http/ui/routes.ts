/**
 * The collector's web UI (/ui): server-rendered TSX (escaping by default), htmx for partial updates,
 * server-sent events for live data (docs/web-ui.md). This plugin owns the session: password or token
 * login (rate-limited), a session row in the database behind an HttpOnly SameSite=Strict cookie, CSRF
 * tokens from @fastify/csrf-protection bound to that row, and the per-route role rule. Page modules
 * register their routes on the session scope.
 */
import { isStoreFailure } from "../../store/health.ts";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifyMultipart from "@fastify/multipart";
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Accounts } from "../../store/accounts.ts";
import { PUBLIC } from "../auth.ts";
import { boardPages } from "./board.tsx";
import { EVIDENCE_LIMITS, evidencePages, onEvidenceFile } from "./evidence.tsx";
import { faultPages } from "./fault-page.tsx";
import { hazardPages } from "./hazards.tsx";
import { inspectionPages } from "./inspections.tsx";
import { languageOf, WORDS } from "./i18n.ts";
import { errorPage, loginPage, loginUrl, safeNext } from "./login.tsx";
import { readingPages } from "./readings.tsx";
import { reportPages } from "./report.tsx";
import { userPages } from "./users.tsx";
import { windowPages } from "./windows.tsx";
import { field, mayUse, onSession, sendHtml, type UiDeps, type UiPageModule, viewerOf } from "./page.ts";

export type { UiDeps } from "./page.ts";

/** The page modules, each a route file with its TSX components (docs/web-ui.md: adding a page). */
const PAGE_MODULES: UiPageModule[] = [
  boardPages,
  faultPages,
  readingPages,
  evidencePages,
  windowPages,
  inspectionPages,
  hazardPages,
  reportPages,
  userPages,
];

export const SESSION_COOKIE = "wf_session";
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const LOGIN_LIMIT = { max: 10, timeWindow: 60_000 };

const require = createRequire(import.meta.url);
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  "style.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("./assets/style.css", import.meta.url)) },
  "app.js": { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("./assets/app.js", import.meta.url)) },
  "inspections.js": { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("./assets/inspections.js", import.meta.url)) },
  // The vendored npm file, served by us: no CDN, and the CSP allows scripts from 'self' only.
  "htmx.min.js": { type: "text/javascript; charset=utf-8", body: readFileSync(require.resolve("htmx.org/dist/htmx.min.js")) },
};

declare module "fastify" {
  interface FastifyRequest {
    /** @fastify/csrf-protection reads its secret from `session._csrf`: here, the session row's. */
    session: { _csrf?: string } | null;
  }
}

export async function uiRoutes(app: FastifyInstance, ctx: Omit<UiDeps, "accounts">): Promise<void> {
  const deps: UiDeps = { ...ctx, accounts: new Accounts(ctx.store.db) };
  const now = () => deps.clock.now();
  const secure = (req: FastifyRequest) => req.protocol === "https";

  if (!app.hasDecorator("parseCookie")) await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  if (!app.hasDecorator("rateLimit")) await app.register(fastifyRateLimit, { global: false });
  app.decorateRequest("session", null);
  await app.register(fastifyCsrf, {
    sessionPlugin: "@fastify/session",
    getToken: (req) => field(req.body, "_csrf") || (req.headers["x-csrf-token"] as string | undefined),
  });

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    // Not "no-referrer": with it Chromium sends "Origin: null" on form posts and the origin check fails.
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    if (!reply.hasHeader("content-security-policy"))
      reply.header(
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  const fail = (req: FastifyRequest, reply: FastifyReply, status: number, text: string) => {
    const lang = languageOf(req, reply);
    return sendHtml(reply, status, errorPage({ lang, viewer: req.viewer, status, text }));
  };

  // Requests whose body is being read and was read: a multipart body that does not parse fails between
  // the two (busboy's errors carry no status code) and is the client's fault, a 400, not a 500 (found by
  // npm run fuzz).
  const bodyParsing = new WeakSet<FastifyRequest>();
  const bodyRead = new WeakSet<FastifyRequest>();
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // The store failed (a full disk, a database gone): the collector's condition, not the request's.
    // A page that says so and when to try again, as the API's 503 does (the root handler logs the reason).
    if (isStoreFailure(err as unknown)) {
      req.log.error({ err }, "web UI request failed on the store");
      reply.header("retry-after", "30");
      return fail(req, reply, 503, WORDS[languageOf(req, reply)].storeUnavailable);
    }
    const malformedBody = !err.statusCode && bodyParsing.has(req) && !bodyRead.has(req) && req.isMultipart();
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : malformedBody ? 400 : 500;
    if (status === 500) req.log.error({ err }, "web UI error");
    const w = WORDS[languageOf(req, reply)];
    const text = err.code?.startsWith("FST_CSRF") ? w.csrf : status === 429 ? w.tooManyLogins : status === 500 ? w.error : w.badRequest;
    return fail(req, reply, err.code?.startsWith("FST_CSRF") ? 403 : status, text);
  });

  const open = { config: { allow: PUBLIC.uiLogin } };
  app.get("/", open, async (_req, reply) => reply.redirect("/ui", 302));
  app.get("/ui/", open, async (_req, reply) => reply.redirect("/ui", 302));

  app.get<{ Params: { file: string } }>("/ui/assets/:file", open, async (req, reply) => {
    // Own entries only: "toString" is no asset (issue 12 #9, found by the fuzz suite).
    const asset = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!asset) return reply.code(404).type("text/plain").send("not found");
    return reply.type(asset.type).header("cache-control", "max-age=300").send(asset.body);
  });

  app.get<{ Querystring: { next?: string } }>("/ui/login", open, async (req, reply) => {
    const lang = languageOf(req, reply);
    // A session cookie that no longer opens a session: it expired (or was ended elsewhere) — say so.
    const id = req.cookies[SESSION_COOKIE];
    const expired = id !== undefined && SESSION_ID.test(id) && !(await deps.accounts.session(id, now()));
    return sendHtml(reply, 200, loginPage({ lang, next: safeNext(req.query.next), expired }));
  });

  app.post("/ui/login", { config: { ...open.config, rateLimit: LOGIN_LIMIT } }, async (req, reply) => {
    const lang = languageOf(req, reply);
    const w = WORDS[lang];
    if (!originAllowed(req)) return sendHtml(reply, 403, loginPage({ lang, error: w.forbidden }));
    const token = field(req.body, "token");
    const name = field(req.body, "name");
    const user = token
      ? await deps.store.userByToken(token)
      : name
        ? await deps.accounts.checkPassword(name, field(req.body, "password"))
        : undefined;
    const next = safeNext(field(req.body, "next"));
    if (!user)
      return sendHtml(reply, 401, loginPage({ lang, name, next, error: token ? w.wrongToken : w.wrongLogin }));
    const session = await deps.accounts.createSession(user.name, now());
    reply.setCookie(SESSION_COOKIE, session.id, {
      path: "/ui",
      httpOnly: true,
      sameSite: "strict",
      secure: secure(req),
    });
    deps.logger.info({ user: user.name, role: user.role, by: token ? "token" : "password" }, "web UI login");
    return reply.redirect(next ?? "/ui", 303);
  });

  // Everything below needs a live session; a POST also needs the CSRF token and a same-site Origin.
  await app.register(async (scope) => {
    // Evidence uploads: fields and files land in the body before the CSRF check reads `_csrf` from it.
    await scope.register(fastifyMultipart, { attachFieldsToBody: "keyValues", onFile: onEvidenceFile, limits: EVIDENCE_LIMITS });
    // Session, role and Origin are checked in onRequest, before any body is read: an unauthenticated
    // upload is answered from its headers and its connection closed, never buffered (review L1).
    scope.addHook("onRequest", async (req, reply) => {
      const id = req.cookies[SESSION_COOKIE] || undefined;
      const malformed = id !== undefined && !SESSION_ID.test(id);
      const session = id && !malformed ? await deps.accounts.session(id, now()) : undefined;
      const lang = languageOf(req, reply);
      if (!session) {
        const hasBody = req.method !== "GET" && req.method !== "HEAD";
        if (hasBody) reply.header("connection", "close");
        // An unknown cookie or a post without a session counts against the address like a bad API token
        // (a browser without a cookie opening a page does not: that is how everyone reaches the login).
        if (id !== undefined || hasBody) {
          const wait = (await deps.badTokens?.blocked(req)) ?? (await deps.badTokens?.failed(req));
          if (wait !== undefined) {
            reply.header("retry-after", String(wait));
            return fail(req, reply, 429, WORDS[lang].tooManyLogins);
          }
        }
        if (malformed) {
          clearBadCookie(reply);
          return sendHtml(reply, 400, errorPage({ lang, status: 400, text: WORDS[lang].badRequest, toLogin: true }));
        }
        if (req.headers["hx-request"]) return reply.code(401).header("hx-redirect", loginUrl(returnTo(req))).send("");
        return reply.redirect(loginUrl(returnTo(req)), req.method === "GET" ? 302 : 303);
      }
      req.session = { _csrf: session.csrfSecret };
      req.viewer = {
        ...session.user,
        lang,
        w: WORDS[lang],
        csrf: reply.generateCsrf(),
        sessionId: id!,
      };
      if (!mayUse(session.user.role, req.routeOptions.config.uiRoles))
        return fail(req, reply, 403, WORDS[lang].forbidden);
      if (req.method !== "GET" && req.method !== "HEAD" && !originAllowed(req)) {
        reply.header("connection", "close");
        return fail(req, reply, 403, WORDS[lang].csrf);
      }
    });
    scope.addHook("preParsing", async (req) => {
      bodyParsing.add(req);
    });
    scope.addHook("preHandler", async (req) => {
      bodyRead.add(req);
    });
    // The plugin's check, against the session row's secret; a bad token goes to the error handler (403).
    scope.addHook("preHandler", (req, reply, done) => {
      if (req.method === "GET" || req.method === "HEAD") return done();
      scope.csrfProtection(req, reply, done);
    });

    scope.post("/ui/logout", onSession(), async (req, reply) => {
      await deps.accounts.endSession(viewerOf(req).sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: "/ui" });
      return reply.redirect("/ui/login", 303);
    });

    for (const register of PAGE_MODULES) await register(scope, deps);
  });
}

/**
 * Where a login should bring the person back to: the page asked for, or for a form post the page the
 * form was on (its same-origin Referer), for an htmx refresh the page it refreshes (HX-Current-URL), so
 * a session that ended mid-form or on an open fault page does not land on the board.
 */
function returnTo(req: FastifyRequest): string | undefined {
  const hx = req.headers["hx-request"] ? req.headers["hx-current-url"] : undefined;
  if (typeof hx !== "string" && (req.method === "GET" || req.method === "HEAD")) return safeNext(req.url);
  try {
    const ref = new URL(typeof hx === "string" ? hx : (req.headers.referer ?? ""));
    // Through URL on both sides, so "localhost:80" and "http://localhost" compare equal.
    const host = new URL(`${ref.protocol}//${req.headers.host ?? ""}`).host;
    return ref.host === host ? safeNext(ref.pathname + ref.search) : undefined;
  } catch {
    return undefined;
  }
}

/** A malformed session cookie is removed wherever it was set (ours is on /ui; a hand-made one on /). */
function clearBadCookie(reply: FastifyReply): void {
  for (const path of ["/ui", "/"]) reply.clearCookie(SESSION_COOKIE, { path });
}

/**
 * A cross-site form post carries the other site's Origin; browsers send Origin on every POST, so a
 * mismatch is refused (absent Origin — non-browser clients — still needs the CSRF token).
 */
export function originAllowed(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    // Through URL on both sides, so "localhost:80" and "http://localhost" compare equal.
    const o = new URL(origin);
    return o.host === new URL(`${o.protocol}//${req.headers.host ?? ""}`).host;
  } catch {
    return false;
  }
}
