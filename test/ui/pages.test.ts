import { afterEach, describe, expect, it } from "vitest";
import { signAckToken } from "../../collector/paging/ack-token.ts";
import type { Role } from "../../collector/store/store.ts";
import { getPage, login, NAMES, openFault, postForm, uiCollector, visibleText } from "./harness.ts";

type Harness = Awaited<ReturnType<typeof uiCollector>>;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ROLES: Role[] = ["engineer", "facility_manager", "client_auditor", "admin"];
const ROLE_ZH: Record<Role, string> = {
  engineer: "工程师",
  facility_manager: "设施主管",
  client_auditor: "甲方审计",
  admin: "管理员",
};

describe("web UI: login and sessions", () => {
  it.each(ROLES)("%s logs in with the API token and sees the board under their name", async (role) => {
    h = await uiCollector();
    const { res, session, cookie } = await login(h.app, h.tokens[role]);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/ui");
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    // The cookie is a session id, not the API token.
    expect(session).not.toContain(h.tokens[role]);
    const board = await getPage(h.app, "/ui", cookie);
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain(`${NAMES[role]} (${ROLE_ZH[role]})`);
    expect(board.body).toContain("值班看板");
    // Live over server-sent events, not a meta refresh.
    expect(board.body).not.toContain('http-equiv="refresh"');
    expect(board.body).toContain('data-live="/ui/events"');
  });

  it("a wrong token gets the form again with an error, 401, and no session", async () => {
    h = await uiCollector();
    const { res, session } = await login(h.app, "wf_not-a-real-token");
    expect(res.statusCode).toBe(401);
    expect(session).toBeUndefined();
    expect(res.body).toContain("令牌无效");
    expect(res.body).toContain('action="/ui/login"');
  });

  it("without the cookie every page redirects to the login form; / goes to /ui", async () => {
    h = await uiCollector();
    // The login returns to the page asked for (a fault link opened at 3 a.m.); the board needs no `next`.
    for (const [url, login] of [
      ["/ui", "/ui/login"],
      ["/ui/faults/F-1", "/ui/login?next=%2Fui%2Ffaults%2FF-1"],
      ["/ui?lang=en", "/ui/login?next=%2Fui%3Flang%3Den"],
    ]) {
      const res = await getPage(h.app, url!);
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location, url).toBe(login);
    }
    // An htmx refresh of an open fault page: back to that page, not to the fragment or the board.
    const hx = await h.app.inject({
      method: "GET",
      url: "/ui/faults/F-1/readings",
      headers: { "hx-request": "true", "hx-current-url": "http://localhost:80/ui/faults/F-1", host: "localhost:80" },
    });
    expect(hx.statusCode).toBe(401);
    expect(hx.headers["hx-redirect"]).toBe("/ui/login?next=%2Fui%2Ffaults%2FF-1");
    // A well-formed id nobody issued is an expired session; a malformed cookie is a 400, never a 500.
    const forged = await getPage(h.app, "/ui", `wf_session=${"A".repeat(43)}`);
    expect(forged.headers.location).toBe("/ui/login");
    for (const bad of ["wf_session=made-up", "wf_session=%E0%A4%A", 'wf_session="; x=\u0000', "wf_session="])
      expect((await getPage(h.app, "/ui", bad)).statusCode, bad).toBe(bad === "wf_session=" ? 302 : 400);
    for (const url of ["/", "/ui/"]) {
      const root = await getPage(h.app, url);
      expect(root.statusCode, url).toBe(302);
      expect(root.headers.location, url).toBe("/ui");
    }
    const form = await getPage(h.app, "/ui/login");
    expect(form.statusCode).toBe(200);
  });

  it("pages send a referrer policy under which browsers still send a real Origin on form posts", async () => {
    h = await uiCollector();
    const form = await getPage(h.app, "/ui/login");
    // "no-referrer" would make Chromium send "Origin: null", which the origin check refuses.
    expect(form.headers["referrer-policy"]).toBe("same-origin");
    expect(form.headers["content-security-policy"]).toContain("form-action 'self'");
  });

  it("logout ends the session", async () => {
    h = await uiCollector();
    const { cookie, csrf } = await login(h.app, h.tokens.engineer);
    const out = await postForm(h.app, "/ui/logout", cookie, { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe("/ui/login");
    expect((await getPage(h.app, "/ui", cookie)).headers.location).toBe("/ui/login");
  });
});

describe("web UI: the floor board", () => {
  it("shows who is on call, the open faults with their clocks, and the quarter's KPI", async () => {
    h = await uiCollector({ roster: true });
    const id = await openFault(h.app, h.tokens.engineer, {
      device: "ups-1",
      class: "major",
      title: "UPS 市电中断",
    });
    const { cookie } = await login(h.app, h.tokens.facility_manager);
    h.clock.set(Date.parse("2026-11-25T09:10:00+08:00"));
    let board = (await getPage(h.app, "/ui", cookie)).body;
    let text = visibleText(board);
    expect(board).toContain("张伟");
    expect(text).toContain("值班工程师");
    expect(board).toContain('<span class="class class-major">重大</span>');
    expect(board).toContain(`href="/ui/faults/${id}"`);
    expect(board).toContain("UPS 市电中断");
    expect(board).toContain(">2026-11-25 09:00:00</time>");
    expect(text).toContain("响应: 剩余 20分");
    expect(text).toContain("处理: 剩余 23小时50分");
    expect(board).toContain("本季度故障处理及时率");
    expect(board).toContain("2026Q4");
    // Past the 30 min response deadline: breached, and the quarter's KPI costs the deduction.
    h.clock.set(Date.parse("2026-11-25T09:45:00+08:00"));
    board = (await getPage(h.app, "/ui", cookie)).body;
    text = visibleText(board);
    expect(text).toContain("响应: 已超时 15分");
    expect(board).toContain("¥64,680");
    // The audit trail's head beside the KPI (to be recorded with it, checked by audit verify --expect-head).
    const head = h.ctx.store.sqlite!.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as { seq: number; hash: string };
    expect(text).toContain(`审计链头 #${head.seq} ${head.hash.slice(0, 16)}`);
  });

  it("says so when no roster is configured", async () => {
    h = await uiCollector();
    const { cookie } = await login(h.app, h.tokens.engineer);
    const board = (await getPage(h.app, "/ui", cookie)).body;
    expect(board).toContain("未配置值班表");
    expect(board).toContain("当前没有未结故障");
  });

  it("escapes user-provided text: a fault title with <script> is shown, not run", async () => {
    h = await uiCollector();
    const title = `<script>alert("x")</script> & 'q'`;
    const id = await openFault(h.app, h.tokens.engineer, { device: "sw<1>", class: "general", title });
    const { cookie } = await login(h.app, h.tokens.engineer);
    for (const url of ["/ui", `/ui/faults/${id}`]) {
      const page = (await getPage(h.app, url, cookie)).body;
      expect(page, url).not.toContain("<script>");
      expect(page, url).toContain("&lt;script>alert(&#34;x&#34;)&lt;/script> &amp; &#39;q&#39;");
      expect(visibleText(page), url).toContain(title);
      expect(page, url).toContain("sw&lt;1>");
    }
  });

  it("English with ?lang=en, remembered in a cookie, and back with ?lang=zh", async () => {
    h = await uiCollector();
    await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "on battery" });
    const { cookie } = await login(h.app, h.tokens.engineer);
    const en = await getPage(h.app, "/ui?lang=en", cookie);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain("On call now");
    expect(en.body).toContain("no roster configured");
    expect(en.body).toContain('<span class="class class-severe">severe</span>');
    expect(visibleText(en.body)).toContain("resolve: 2 h 00 min left");
    const langCookie = [en.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("wf_lang="));
    expect(langCookie).toMatch(/^wf_lang=en;/);
    const again = await getPage(h.app, "/ui", `${cookie}; wf_lang=en`);
    expect(again.body).toContain("Open faults");
    expect(again.body).toContain('href="/ui?lang=zh"');
    const zh = await getPage(h.app, "/ui?lang=zh", `${cookie}; wf_lang=en`);
    expect(zh.body).toContain("当前值班");
    const loginEn = await getPage(h.app, "/ui/login?lang=en");
    expect(loginEn.body).toContain("paste the API token");
  });
});

describe("web UI: acknowledge and resolve", () => {
  it("an engineer acknowledges and resolves through the forms; the fault shows who did it", async () => {
    h = await uiCollector();
    const id = await openFault(h.app, h.tokens.admin, { device: "ups-1", class: "major", title: "UPS 过载" });
    const { cookie, csrf } = await login(h.app, h.tokens.engineer);
    let page = (await getPage(h.app, `/ui/faults/${id}`, cookie)).body;
    expect(page).toContain(`action="/ui/faults/${id}/ack"`);
    expect(page).toContain(`action="/ui/faults/${id}/resolve"`);
    expect(page).toContain("未处理");

    h.clock.set(Date.parse("2026-11-25T09:12:00+08:00"));
    const ack = await postForm(h.app, `/ui/faults/${id}/ack`, cookie, { _csrf: csrf, note: "远程支持已开始" });
    expect(ack.statusCode).toBe(303);
    expect(ack.headers.location).toBe(`/ui/faults/${id}`);
    page = (await getPage(h.app, `/ui/faults/${id}`, cookie)).body;
    expect(page).toContain('<span class="status status-acknowledged">已确认</span>');
    expect(page).toMatch(/class="acked-by">li\.gong · <time[^>]*>2026-11-25 09:12:00<\/time>/);
    expect(page).toContain("响应: 已达成");
    expect(page).toContain("远程支持已开始");
    expect(page).not.toContain(`action="/ui/faults/${id}/ack"`);
    const api = h.ctx.faults.liveFault(id)!;
    expect(api.acknowledgedBy).toBe(NAMES.engineer);

    // A second acknowledgement is refused by the fault's state, shown on the page.
    const twice = await postForm(h.app, `/ui/faults/${id}/ack`, cookie, { _csrf: csrf });
    expect(twice.statusCode).toBe(409);

    const res = await postForm(h.app, `/ui/faults/${id}/resolve`, cookie, { _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect(h.ctx.faults.liveFault(id)!.resolvedBy).toBe(NAMES.engineer);
    page = (await getPage(h.app, `/ui/faults/${id}`, cookie)).body;
    expect(page).toContain("已解决");
  });

  it("the client auditor sees no buttons, and a posted ack is refused with 403", async () => {
    h = await uiCollector();
    const id = await openFault(h.app, h.tokens.engineer, {
      device: "fw-1",
      class: "severe",
      title: "防火墙离线",
    });
    const { cookie, csrf } = await login(h.app, h.tokens.client_auditor);
    const page = (await getPage(h.app, `/ui/faults/${id}`, cookie)).body;
    expect(page).not.toContain('<button type="submit" id="ack"');
    expect(page).not.toContain(`/ui/faults/${id}/ack`);
    expect(page).not.toContain(`/ui/faults/${id}/resolve`);
    expect(page).toContain("您的角色只能查看");
    expect(csrf).not.toBe(""); // the logout form carries it, so the 403 below is about the role
    for (const action of ["ack", "resolve"]) {
      const res = await postForm(h.app, `/ui/faults/${id}/${action}`, cookie, { _csrf: csrf });
      expect(res.statusCode, action).toBe(403);
    }
    expect(h.ctx.faults.liveFault(id)!.status).toBe("open");
  });

  it("a post without the session's CSRF token, or from another origin, is refused", async () => {
    h = await uiCollector();
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "major", title: "t" });
    const { cookie, csrf } = await login(h.app, h.tokens.engineer);
    expect((await postForm(h.app, `/ui/faults/${id}/ack`, cookie, {})).statusCode).toBe(403);
    expect((await postForm(h.app, `/ui/faults/${id}/ack`, cookie, { _csrf: `${csrf}x` })).statusCode).toBe(
      403,
    );
    const cross = await postForm(
      h.app,
      `/ui/faults/${id}/ack`,
      cookie,
      { _csrf: csrf },
      { origin: "https://evil.example" },
    );
    expect(cross.statusCode).toBe(403);
    const opaque = await postForm(h.app, `/ui/faults/${id}/ack`, cookie, { _csrf: csrf }, { origin: "null" });
    expect(opaque.statusCode).toBe(403);
    const noCookie = await postForm(h.app, `/ui/faults/${id}/ack`, "", { _csrf: csrf });
    expect(noCookie.statusCode).toBe(303);
    expect(noCookie.headers.location).toBe("/ui/login");
    expect(h.ctx.faults.liveFault(id)!.status).toBe("open");
    const same = await postForm(
      h.app,
      `/ui/faults/${id}/ack`,
      cookie,
      { _csrf: csrf },
      { origin: "http://localhost" },
    );
    expect(same.statusCode).toBe(303);
  });

  it("an unknown fault is a 404 page", async () => {
    h = await uiCollector();
    const { cookie } = await login(h.app, h.tokens.engineer);
    const res = await getPage(h.app, "/ui/faults/F-nope", cookie);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("未找到该故障");
  });
});

describe("web UI: the one-tap acknowledge page", () => {
  it("is styled like the UI: the person's name, the fault in words, one large button; POST acknowledges", async () => {
    h = await uiCollector({ roster: true, site: true });
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "major", title: "UPS 市电中断" });
    const token = signAckToken({ faults: [id], person: "zhangwei", expires: h.clock.now() + 3600_000 }, "ack-secret-for-tests");
    const shown = await getPage(h.app, `/ack/${token}`);
    expect(shown.statusCode).toBe(200);
    const text = visibleText(shown.body);
    expect(text).toContain("张伟，请确认以下故障");
    expect(text).not.toContain("zhangwei");
    expect(text).toContain("UPS 市电中断");
    expect(text).toContain("机房 UPS-1");
    expect(shown.body).toContain('<link rel="stylesheet" href="/ui/assets/style.css">');
    expect(shown.body).toMatch(/<button type="submit" id="ack" class="primary big-button">/);
    expect(shown.body).not.toContain(id);
    const acked = await h.app.inject({ method: "POST", url: `/ack/${token}`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    expect(visibleText(acked.body)).toContain("UPS 市电中断：已确认");
    expect(h.ctx.faults.liveFault(id)!.acknowledgedBy).toBe("zhangwei");
  });

  it("English with ?lang=en: its language link stays on the page (it led to a Chinese login page)", async () => {
    h = await uiCollector({ roster: true, site: true });
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "major", title: "UPS 市电中断" });
    const token = signAckToken({ faults: [id], person: "zhangwei", expires: h.clock.now() + 3600_000 }, "ack-secret-for-tests");
    const zh = await getPage(h.app, `/ack/${token}`);
    expect(zh.body).toContain(`href="/ack/${token}?lang=en"`);
    const en = await getPage(h.app, `/ack/${token}?lang=en`);
    expect(en.statusCode).toBe(200);
    const text = visibleText(en.body);
    expect(text).toContain("acknowledge these faults");
    expect(text).toContain("Acknowledge (remote support started)");
    expect(text).not.toContain("请确认以下故障");
    const acked = await h.app.inject({ method: "POST", url: `/ack/${token}?lang=en`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    expect(visibleText(acked.body)).toContain("acknowledged");
    expect(visibleText(acked.body)).not.toContain("已确认");
    expect(h.ctx.faults.liveFault(id)!.acknowledgedBy).toBe("zhangwei");
  });
});
