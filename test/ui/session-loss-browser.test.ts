/**
 * Nothing a person gives is lost when the session ends or the network goes (Debian's chromium through
 * playwright-core, a 360×740 phone): an inspection answer queued when the session had ended waits for
 * the login and is then sent; a round that cannot be finished says which 点位 are missing and keeps
 * saying it; a stop is checked in by hand in a basement without signal; a fault link opened logged out
 * returns to the fault after login, and a comment typed when the session ended is there again.
 * Screenshots go to $TMPDIR/watchfloor-ui/.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../collector/store/accounts.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { chromiumMissing, launchChromium } from "./chromium.ts";
import { collectorWithRound, listenForBrowser, NAMES, sendCondition, uiCollector } from "./harness.ts";

const skip = skipWithout(chromiumMissing(), "session loss in chromium");
const SHOTS = join(tmpdir(), "watchfloor-ui");
const PASSWORD = "correct horse battery staple";

describe.skipIf(skip)("nothing lost when the session ends or the network goes (chromium, 360×740)", () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let accounts: Accounts;
  let browser: Browser;
  let base: string;
  let roundId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ h, roundId } = await collectorWithRound());
    accounts = new Accounts(h.ctx.store.db);
    base = await listenForBrowser(h, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function phone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { context, page };
  }

  async function login(page: Page, name: string) {
    await page.fill("#name", name);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("#login")]);
  }

  /** Ends the browser's session on the server, as an idle timeout or a logout elsewhere does. */
  async function endSession(context: BrowserContext) {
    const cookie = (await context.cookies()).find((c) => c.name === "wf_session")!;
    await accounts.endSession(cookie.value);
  }

  const queued = (page: Page) =>
    page.evaluate(() => (JSON.parse(localStorage.getItem("wf-inspection-queue") || "[]") as unknown[]).length);
  const round = async () => (await h.ctx.inspections.rows.round(roundId))!;
  const roundUrl = () => `${base}/ui/inspections/rounds/${roundId}`;

  it("a stop checked in by hand offline: its items open at once, answers queue behind the check-in, all arrive online", async () => {
    const { context, page } = await phone();
    await page.goto(roundUrl());
    expect(new URL(page.url()).pathname).toBe("/ui/login"); // logged out: login first …
    await login(page, NAMES.facility_manager);
    expect(page.url()).toBe(roundUrl()); // … and back to the round, not the board

    const stop = (await round()).stops[0]!;
    const item = stop.items.find((i) => i.kind === "yesno")!;
    const section = page.locator(`#stop-${stop.id}`);
    expect(await section.locator(`form.item[data-item=${item.id}]`).isVisible()).toBe(false);

    await context.setOffline(true);
    await page.click(`#checkin-${stop.id}`);
    expect(await section.locator(".checkin").textContent()).toBe("已签到（待发送）");
    await section.locator(`form.item[data-item=${item.id}] button[value=${item.expect}]`).click();
    expect(await queued(page)).toBe(2);
    expect(await page.textContent("#queue-status")).toContain("2 条待发送");
    await page.screenshot({ path: join(SHOTS, "uifix-offline-manual-checkin-360.png"), fullPage: true });
    expect((await round()).checkins[stop.id]).toBeUndefined();

    await context.setOffline(false);
    await expect.poll(() => queued(page), { timeout: 10_000 }).toBe(0);
    const r = await round();
    expect(r.checkins[stop.id]?.via).toBe("manual");
    expect(await section.locator(".checkin").textContent()).toBe("已签到");
    expect(r.answers[`${stop.id}/${item.id}`]?.value).toBe(item.expect === "yes");
    await context.close();
  });

  it("an answer given after the session ended stays queued, the page says so, and it is sent after login", async () => {
    const { context, page } = await phone();
    await page.goto(roundUrl());
    await login(page, NAMES.facility_manager);
    const stop = (await round()).stops.find((s) => s.id === "ups")!;
    await page.click(`#checkin-${stop.id}`);
    await expect.poll(() => queued(page)).toBe(0);
    const reading = stop.items.find((i) => i.kind === "reading")!;

    await endSession(context);
    const form = page.locator(`#stop-${stop.id} form.item[data-item=${reading.id}]`);
    await form.locator("input[name=value]").fill("22");
    await form.locator("button").click();
    await page.waitForSelector("#relogin");
    expect(await page.textContent("#queue-status")).toContain("登录已过期，请重新登录");
    expect(await queued(page)).toBe(1);
    expect(await form.getAttribute("class")).toContain("pending"); // not shown as saved
    expect(await page.locator("#queue-status").isVisible()).toBe(true);
    expect((await page.locator("#queue-status").boundingBox())!.y).toBeGreaterThanOrEqual(0); // in sight (sticky)
    expect((await page.locator("#queue-status").boundingBox())!.y).toBeLessThan(740);
    await page.screenshot({ path: join(SHOTS, "uifix-session-ended-answer-360.png") });
    expect((await round()).answers[`${stop.id}/${reading.id}`]).toBeUndefined();

    await Promise.all([page.waitForURL(/\/ui\/login\?next=/), page.click("#relogin")]);
    expect(await page.textContent("#session-expired")).toBe("会话已过期，请重新登录");
    await login(page, NAMES.facility_manager);
    expect(page.url()).toBe(roundUrl());
    await expect.poll(() => queued(page)).toBe(0);
    await expect.poll(async () => (await round()).answers[`${stop.id}/${reading.id}`]?.value).toBe(22);
    await context.close();
  });

  it("完成巡检 on an unfinished round names the missing 点位 in Chinese, and the message stays", async () => {
    const { context, page } = await phone();
    await page.goto(roundUrl());
    await login(page, NAMES.facility_manager);
    await page.click("#finish");
    const status = page.locator("#queue-status");
    await expect.poll(() => status.textContent()).toContain("还不能完成巡检");
    await page.waitForTimeout(1500); // a reload would have wiped it by now
    const text = (await status.textContent())!;
    const r = await round();
    for (const s of r.stops.filter((x) => !r.checkins[x.id])) expect(text).toContain(s.title);
    expect(text).toContain("未签到的点位");
    expect(text).not.toMatch(/not finished|not checked in/);
    expect(await status.isVisible()).toBe(true);
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "uifix-finish-incomplete-360.png") });
    expect(r.status).not.toBe("completed");
    await context.close();
  });

  it("a fault link opened logged out returns to the fault; a comment typed as the session ended is kept", async () => {
    await sendCondition(h, { device: "sw-core-1", condition: "if.down", labels: { ifname: "Te1/1/9" }, observedAt: "2026-11-25T09:00:00+08:00" });
    const fault = h.ctx.faults.liveFaults().find((f) => f.device === "sw-core-1")!;
    const { context, page } = await phone();
    await page.goto(`${base}/ui/faults/${fault.id}`);
    expect(new URL(page.url()).pathname).toBe("/ui/login");
    await login(page, NAMES.engineer);
    expect(page.url()).toBe(`${base}/ui/faults/${fault.id}`);

    await endSession(context);
    await page.fill("textarea[name=text]", "已到机房，正在更换光模块");
    await Promise.all([page.waitForURL(/\/ui\/login/), page.click("form[action$='/comment'] button")]);
    expect(await page.textContent("#session-expired")).toBe("会话已过期，请重新登录");
    await page.screenshot({ path: join(SHOTS, "uifix-session-expired-login-360.png") });
    await login(page, NAMES.engineer);
    expect(page.url()).toBe(`${base}/ui/faults/${fault.id}`);
    expect(await page.inputValue("textarea[name=text]")).toBe("已到机房，正在更换光模块");
    await context.close();
  });

  it("a malformed session cookie: the 400 page clears it and its link leads to a working login", async () => {
    const { context, page } = await phone();
    await context.addCookies([{ name: "wf_session", value: "not-a-session", url: `${base}/ui` }]);
    const res = await page.goto(`${base}/ui`);
    expect(res!.status()).toBe(400);
    expect(await page.textContent("main")).toContain("请求格式不正确");
    await Promise.all([page.waitForURL(`${base}/ui/login`), page.click("#to-login")]);
    await login(page, NAMES.engineer);
    expect(page.url()).toBe(`${base}/ui`);
    expect(await page.locator("#faults").count()).toBe(1);
    await context.close();
  });
});
