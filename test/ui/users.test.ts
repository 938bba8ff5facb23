import { afterEach, describe, expect, it } from "vitest";
import { getPage, login, NAMES, postForm, uiCollector, visibleText } from "./harness.ts";

type Harness = Awaited<ReturnType<typeof uiCollector>>;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function passwordLogin(app: Harness["app"], name: string, password: string) {
  return app.inject({
    method: "POST",
    url: "/ui/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ name, password }).toString(),
  });
}

describe("users in the UI (admin)", () => {
  it("adds a user with a password (the token shown once), changes the role, rotates the token, disables", async () => {
    h = await uiCollector();
    const admin = await login(h.app, h.tokens.admin);
    const add = await postForm(h.app, "/ui/users", admin.cookie, { _csrf: admin.csrf, name: "zhao.gong", role: "engineer", password: "长期值班-2026!" });
    expect(add.statusCode).toBe(201);
    const token = /<code>(wf_[A-Za-z0-9_-]+)<\/code>/.exec(add.body)![1]!;
    expect(await h.ctx.store.userByToken(token)).toEqual({ name: "zhao.gong", role: "engineer" });
    // The listing never shows a token again.
    expect((await getPage(h.app, "/ui/users", admin.cookie)).body).not.toContain(token);

    const first = await passwordLogin(h.app, "zhao.gong", "长期值班-2026!");
    expect(first.statusCode).toBe(303);
    const cookie = String(first.headers["set-cookie"]).split(";")[0]!;
    expect(visibleText((await getPage(h.app, "/ui", cookie)).body)).toContain("zhao.gong (工程师)");

    // A new role ends the sessions; the next login carries the new role.
    expect((await postForm(h.app, "/ui/users/zhao.gong/role", admin.cookie, { _csrf: admin.csrf, role: "facility_manager" })).statusCode).toBe(303);
    expect((await getPage(h.app, "/ui", cookie)).headers.location).toBe("/ui/login");
    expect((await h.ctx.store.userByToken(token))!.role).toBe("facility_manager");

    const rotated = await postForm(h.app, "/ui/users/zhao.gong/token", admin.cookie, { _csrf: admin.csrf });
    const fresh = /<code>(wf_[A-Za-z0-9_-]+)<\/code>/.exec(rotated.body)![1]!;
    expect(await h.ctx.store.userByToken(token)).toBeUndefined();
    expect((await h.ctx.store.userByToken(fresh))!.name).toBe("zhao.gong");

    expect((await postForm(h.app, "/ui/users/zhao.gong/disable", admin.cookie, { _csrf: admin.csrf })).statusCode).toBe(303);
    expect(await h.ctx.store.userByToken(fresh)).toBeUndefined();
    expect((await passwordLogin(h.app, "zhao.gong", "长期值班-2026!")).statusCode).toBe(401);
    expect(visibleText((await getPage(h.app, "/ui/users", admin.cookie)).body)).toContain("已停用");
    expect((await postForm(h.app, "/ui/users/zhao.gong/enable", admin.cookie, { _csrf: admin.csrf })).statusCode).toBe(303);
    expect((await passwordLogin(h.app, "zhao.gong", "长期值班-2026!")).statusCode).toBe(303);
  });

  it("a new password ends the user's sessions; an admin setting their own keeps the session they use (review L3)", async () => {
    h = await uiCollector();
    const admin = await login(h.app, h.tokens.admin);
    const engineer = await login(h.app, h.tokens.engineer);
    expect((await getPage(h.app, "/ui", engineer.cookie)).statusCode).toBe(200);
    const reset = await postForm(h.app, `/ui/users/${NAMES.engineer}/password`, admin.cookie, { _csrf: admin.csrf, password: "新密码-足够长-2026" });
    expect(reset.statusCode).toBe(303);
    expect((await getPage(h.app, "/ui", engineer.cookie)).headers.location).toBe("/ui/login");
    expect((await passwordLogin(h.app, NAMES.engineer, "新密码-足够长-2026")).statusCode).toBe(303);

    const otherAdminSession = await login(h.app, h.tokens.admin);
    const own = await postForm(h.app, `/ui/users/${NAMES.admin}/password`, admin.cookie, { _csrf: admin.csrf, password: "管理员的新密码-2026" });
    expect(own.statusCode).toBe(303);
    expect((await getPage(h.app, "/ui", admin.cookie)).statusCode).toBe(200);
    expect((await getPage(h.app, "/ui", otherAdminSession.cookie)).headers.location).toBe("/ui/login");
  });

  it("refuses bad names, short passwords, duplicates, and an admin disabling or demoting themselves", async () => {
    h = await uiCollector();
    const admin = await login(h.app, h.tokens.admin);
    const post = (url: string, fields: Record<string, string>) => postForm(h!.app, url, admin.cookie, { _csrf: admin.csrf, ...fields });
    expect((await post("/ui/users", { name: "<b>x</b>", role: "engineer" })).statusCode).toBe(400);
    expect((await post("/ui/users", { name: "ok.name", role: "engineer", password: "short" })).statusCode).toBe(400);
    expect((await post("/ui/users", { name: NAMES.engineer, role: "engineer" })).statusCode).toBe(400);
    expect((await post("/ui/users", { name: "x.y", role: "root" })).statusCode).toBe(400);
    expect((await post(`/ui/users/${NAMES.admin}/disable`, {})).statusCode).toBe(409);
    expect((await post(`/ui/users/${NAMES.admin}/role`, { role: "engineer" })).statusCode).toBe(409);
    expect((await post("/ui/users/nobody/disable", {})).statusCode).toBe(404);
  });

  it("only admins see or use it", async () => {
    h = await uiCollector();
    for (const role of ["engineer", "facility_manager", "client_auditor"] as const) {
      const u = await login(h.app, h.tokens[role]);
      expect((await getPage(h.app, "/ui/users", u.cookie)).statusCode, role).toBe(403);
      expect((await postForm(h.app, "/ui/users", u.cookie, { _csrf: u.csrf, name: "evil", role: "admin" })).statusCode, role).toBe(403);
      expect((await getPage(h.app, "/ui", u.cookie)).body, role).not.toContain('href="/ui/users"');
    }
  });
});
