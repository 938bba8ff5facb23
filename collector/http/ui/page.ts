/**
 * What every UI page module shares: the request's viewer (user, language, CSRF token), the per-route
 * role rule, and sending a rendered page. A page module is `export async function xxxPages(scope, deps)`
 * registering routes on the session scope (see docs/web-ui.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CollectorContext } from "../../context.ts";
import type { LiveReadings } from "../../inspections/live-readings.ts";
import type { PagingService } from "../../paging/service.ts";
import type { Accounts } from "../../store/accounts.ts";
import { PUBLIC } from "../auth.ts";
import type { BadTokenGate } from "../hardening.ts";
import type { Role } from "../../store/store.ts";
import type { Lang, Words } from "./i18n.ts";
import { documentHtml, type SafeHtml } from "./jsx/jsx-runtime.ts";

export type UiDeps = CollectorContext & {
  paging?: PagingService;
  accounts: Accounts;
  runbookDir?: string;
  /** The agents' live readings (collector.agentMetrics); absent: the pages say none are configured. */
  liveReadings?: LiveReadings;
  /** The API's bad-token lockout, which unknown session cookies and unauthenticated posts count against. */
  badTokens?: BadTokenGate;
};

/** Who is looking, in which language; present on every route inside the session scope. */
export interface Viewer {
  name: string;
  role: Role;
  lang: Lang;
  w: Words;
  /** The CSRF token for this page's forms and htmx requests. */
  csrf: string;
  sessionId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    viewer?: Viewer;
  }
  interface FastifyContextConfig {
    /** UI routes: who may open the page or post the form (admin always may). Absent: every logged-in user. */
    uiRoles?: readonly Role[];
  }
}

export type UiScope = FastifyInstance;
export type UiPageModule = (scope: UiScope, deps: UiDeps) => Promise<void>;

/**
 * Route options for a page in the session scope: no API token (the UI's hook requires the session) and
 * who may use it. Every route declares its access; one without this does not register.
 */
export function onSession(roles?: readonly Role[]) {
  return { config: { allow: PUBLIC.uiSession, ...(roles ? { uiRoles: roles } : {}) } };
}

export function viewerOf(req: FastifyRequest): Viewer {
  if (!req.viewer) throw new Error(`route ${req.url} is outside the UI session scope`);
  return req.viewer;
}

export function mayUse(role: Role, allowed: readonly Role[] | undefined): boolean {
  return !allowed || role === "admin" || allowed.includes(role);
}

export function sendHtml(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(documentHtml(page));
}

/** A fragment for htmx (no doctype, no layout). */
export function sendFragment(reply: FastifyReply, fragment: SafeHtml): FastifyReply {
  return reply.code(200).type("text/html; charset=utf-8").send(fragment.html);
}

/** A form field as a trimmed string ("" when absent or not a string). */
export function field(body: unknown, name: string): string {
  if (!body || typeof body !== "object") return "";
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" ? v.trim() : "";
}

/** Roles that act on faults from the UI (as the API: engineers and facility managers). */
export const FAULT_ACTORS: readonly Role[] = ["engineer", "facility_manager"];
export const MANAGERS: readonly Role[] = ["facility_manager"];
export const AUDITORS: readonly Role[] = ["client_auditor"];
