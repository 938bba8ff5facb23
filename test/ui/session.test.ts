import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Accounts } from "../../collector/store/accounts.ts";
import { getPage, login, NAMES, postForm, uiCollector } from "./harness.ts";

type Harness = Awaited<ReturnType<typeof uiCollector>>;
let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function passwordLogin(app: Harness["app"], name: string, password: string, ip = "127.0.0.1") {
  return app.inject({
    method: "POST",
    url: "/ui/login",
    remoteAddress: ip,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ name, password }).toString(),
  });
}

describe("web UI sessions", () => {
  it("a session survives a collector restart on the same database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-ui-"));
    dirs.push(dir);
    const dbFile = join(dir, "collector.db");
    h = await uiCollector({ dbFile });
    const { cookie, csrf } = await login(h.app, h.tokens.engineer);
    expect((await getPage(h.app, "/ui", cookie)).statusCode).toBe(200);
    await h.close();
    // A new process: new app, new store, the same file. Users are already there.
    h = await uiCollector({ dbFile });
    const board = await getPage(h.app, "/ui", cookie);
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain(NAMES.engineer);
    // The CSRF token issued before the restart still verifies: its secret is in the session row.
    expect((await postForm(h.app, "/ui/logout", cookie, { _csrf: csrf })).statusCode).toBe(303);
  });

  it("password login (scrypt) beside tokens; a wrong password and an unknown name look the same", async () => {
    h = await uiCollector();
    const accounts = new Accounts(h.ctx.store.db);
    expect(await accounts.setPassword(NAMES.facility_manager, "长城-2026-secret")).toBe(true);
    const stored = h.ctx.store.sqlite!.prepare("SELECT password_hash FROM users WHERE name = ?").get(NAMES.facility_manager) as {
      password_hash: string;
    };
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored.password_hash).not.toContain("secret");

    const ok = await passwordLogin(h.app, NAMES.facility_manager, "长城-2026-secret");
    expect(ok.statusCode).toBe(303);
    expect(String(ok.headers["set-cookie"])).toMatch(/wf_session=[A-Za-z0-9_-]{43}; Path=\/ui; HttpOnly; SameSite=Strict/);
    const wrong = await passwordLogin(h.app, NAMES.facility_manager, "guess");
    const unknown = await passwordLogin(h.app, "nobody", "guess");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain("用户名或密码不正确");
    expect(unknown.body).toContain("用户名或密码不正确");
    // A user without a password cannot log in with an empty one.
    expect((await passwordLogin(h.app, NAMES.engineer, "")).statusCode).toBe(401);
  });

  it("a disabled user's session ends at once and their token stops working", async () => {
    h = await uiCollector();
    const { cookie } = await login(h.app, h.tokens.engineer);
    new Accounts(h.ctx.store.db).setDisabled(NAMES.engineer, true);
    expect((await getPage(h.app, "/ui", cookie)).headers.location).toBe("/ui/login");
    expect((await login(h.app, h.tokens.engineer)).res.statusCode).toBe(401);
    const api = await h.app.inject({ url: "/api/v1/faults", headers: { authorization: `Bearer ${h.tokens.engineer}` } });
    expect(api.statusCode).toBe(401);
  });

  it("login is rate-limited per address: the 11th try within a minute is 429, another address is not", async () => {
    h = await uiCollector();
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await passwordLogin(h.app, "root", `guess-${i}`, "10.0.0.7")).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes[10]).toBe(429);
    const blocked = await passwordLogin(h.app, "root", "x", "10.0.0.7");
    expect(blocked.body).toContain("登录尝试过多");
    expect((await passwordLogin(h.app, "root", "x", "10.0.0.8")).statusCode).toBe(401);
  });

  it("pages carry a strict CSP: scripts only from this origin, no inline script or eval", async () => {
    h = await uiCollector();
    const { cookie } = await login(h.app, h.tokens.engineer);
    for (const url of ["/ui/login", "/ui"]) {
      const res = await getPage(h.app, url, url === "/ui" ? cookie : undefined);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).toMatch(/script-src 'self'(;|$)/);
      expect(csp, url).not.toContain("unsafe-inline");
      expect(csp, url).not.toContain("unsafe-eval");
      expect(csp, url).toContain("frame-ancestors 'none'");
      // No inline script in the page itself: every <script> has a src on this origin.
      for (const tag of res.body.match(/<script[^>]*>/g) ?? []) expect(tag, url).toMatch(/src="\/ui\/assets\//);
    }
    const htmx = await getPage(h.app, "/ui/assets/htmx.min.js");
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain("htmx");
    expect((await getPage(h.app, "/ui/assets/..%2Fpackage.json")).statusCode).toBe(404);
  });
});

describe("a board left open", () => {
  it("stays logged in for a week while it refreshes every 5 minutes; an unused session ends after 12 h", async () => {
    h = await uiCollector();
    const board = await login(h.app, h.tokens.engineer);
    const idle = await login(h.app, h.tokens.facility_manager);
    const start = h.clock.now();
    for (let t = 0; t <= 7 * 24 * 3600_000; t += 5 * 60_000) {
      h.clock.set(start + t);
      // The cards' periodic refresh (hx-trigger every 300s) is what a wall board does on its own.
      const res = await getPage(h.app, "/ui/board/cards", board.cookie);
      if (res.statusCode !== 200) throw new Error(`logged out after ${t / 3600_000} h: ${res.statusCode}`);
    }
    expect((await getPage(h.app, "/ui", idle.cookie)).headers.location).toBe("/ui/login");
  }, 120_000);
});
