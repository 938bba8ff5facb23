/** A collector for web UI tests: one user per role, a form login, and fault helpers (inject(), no network). */
import type { FastifyInstance } from "fastify";
import type { Role } from "../../collector/store/store.ts";
import { testCollector } from "../collector/harness.ts";
import { notifications, pagingCollector } from "../paging/harness.ts";

export const NAMES: Record<Role, string> = {
  engineer: "li.gong",
  facility_manager: "wang.jingli",
  client_auditor: "jiafang",
  admin: "root",
};

/** With `roster`, paging is configured (张伟 on call); without, the board says there is no roster. */
export async function uiCollector(opts: { roster?: boolean } = {}) {
  const h = opts.roster
    ? await pagingCollector({ notifications: notifications({ hook: "http://127.0.0.1:9/hook" }, {}) })
    : await testCollector();
  const { app, store, clock } = h;
  const tokens = {} as Record<Role, string>;
  for (const role of Object.keys(NAMES) as Role[])
    tokens[role] = store.addUser(NAMES[role], role, clock.now());
  return {
    app,
    ctx: h.ctx,
    clock: clock as { now(): number; set(ms: number): void },
    tokens,
    close: async () => {
      await app.close();
      store.db.close();
    },
  };
}

/** Posts the login form; answers the response and, on success, the cookie and the page's CSRF token. */
export async function login(app: FastifyInstance, token: string) {
  const res = await app.inject({
    method: "POST",
    url: "/ui/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ token }).toString(),
  });
  const setCookie = [res.headers["set-cookie"] ?? []].flat();
  const session = setCookie.find((c) => c.startsWith("wf_session="));
  const cookie = session?.split(";")[0] ?? "";
  let csrf = "";
  if (session) {
    const board = await app.inject({ method: "GET", url: "/ui", headers: { cookie } });
    csrf = /name="csrf" value="([^"]+)"/.exec(board.body)?.[1] ?? "";
  }
  return { res, session, cookie, csrf };
}

export async function getPage(app: FastifyInstance, url: string, cookie?: string) {
  return app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
}

export async function postForm(
  app: FastifyInstance,
  url: string,
  cookie: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: "POST",
    url,
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** Opens a fault by hand through the API, as the engineer; answers its id. */
export async function openFault(
  app: FastifyInstance,
  token: string,
  body: { device: string; class: "major" | "severe" | "general"; title: string },
): Promise<string> {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/faults",
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`open fault ${res.statusCode}: ${res.body}`);
  return (res.json() as { fault: { id: string } }).fault.id;
}
