/**
 * The web UI in a real browser, one walk per kind of user: Debian's chromium driven by playwright-core
 * (never a downloaded browser). Screenshots go to $TMPDIR/watchfloor-ui/ for people to look at.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { chromiumMissing, launchChromium } from "./chromium.ts";
import { listenForBrowser, NAMES, sendCondition, uiCollector } from "./harness.ts";

const skip = skipWithout(chromiumMissing(), "web UI in chromium");
export const SHOTS = join(tmpdir(), "watchfloor-ui");
const PASSWORD = "correct horse battery staple";

describe.skipIf(skip)("web UI in chromium", () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The client auditor's step sends a Q3 fault 56 days late: taken at its own time only within
    // collector.ingest.maxEventAgeSeconds (30 d by default, README "Agent clocks").
    h = await uiCollector({ roster: true, site: true, ingest: { maxEventAgeSeconds: "90d" } });
    base = await listenForBrowser(h, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function loginAs(page: Page, name: string) {
    await page.goto(`${base}/ui`);
    expect(new URL(page.url()).pathname).toBe("/ui/login");
    await page.fill("#name", name);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/ui`), page.click("#login")]);
  }

  const noHorizontalScroll = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it("engineer on a 390×844 phone: sees the major port fault first, live, with its runbook, and acknowledges", async () => {
    await sendCondition(h, {
      device: "sw-floor-1",
      condition: "if.down",
      labels: { ifname: "GigabitEthernet1/0/7" },
      observedAt: "2026-11-25T08:55:00+08:00",
    });
    await sendCondition(h, {
      device: "sw-core-1",
      condition: "if.down",
      labels: { ifname: "TenGigabitEthernet1/1/1" },
      observedAt: "2026-11-25T08:58:00+08:00",
    });
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    await loginAs(page, NAMES.engineer);

    const first = page.locator("#faults .card").first();
    expect(await first.locator(".class").textContent()).toBe("重大");
    expect(await first.locator(".what").textContent()).toBe("端口 TenGigabitEthernet1/1/1 · 端口断开");
    expect(await first.locator(".where").textContent()).toContain("核心交换机-1");
    expect(await first.locator(".where").textContent()).toContain("机房");
    expect(await page.textContent("#oncall")).toContain("张伟");
    expect(await noHorizontalScroll(page)).toBe(true);

    // The countdown ticks in the browser against the server's (manual) clock: 28 min left at render.
    const countdown = first.locator(".dl-pending .countdown").first();
    expect(await countdown.textContent()).toBe("剩余 28分");
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).toBe("剩余 27分");

    // A new fault arrives while the board is open: it appears without a reload (server-sent events).
    await sendCondition(h, {
      device: "ups-1",
      condition: "ups.on_battery",
      observedAt: "2026-11-25T08:59:00+08:00",
    });
    await page.waitForSelector("#faults .card:has-text('市电中断')", { timeout: 8000 });
    await page.screenshot({ path: join(SHOTS, "engineer-board-390.png"), fullPage: true });
    await page.setViewportSize({ width: 360, height: 780 });
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });

    await Promise.all([page.waitForURL(/\/ui\/faults\/F-/), first.locator("h3 a").click()]);
    expect(await page.textContent("#runbook")).toContain("交换机端口断开 应急预案");
    const ack = page.locator("#ack");
    const box = await ack.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(60);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.fill(".ack-form input[name=note]", "远程支持已开始");
    await ack.click();
    await page.waitForSelector("#status .status-acknowledged");
    expect(await page.textContent(".acked-by")).toContain(NAMES.engineer);
    expect(await page.textContent("#timeline")).toContain("确认响应，远程支持已开始");
    expect(await page.textContent("#timeline")).not.toMatch(/openedAt|rule:\d/);
    await page.screenshot({ path: join(SHOTS, "engineer-fault-acknowledged-390.png"), fullPage: true });
    expect(cspViolations).toEqual([]);
    await context.close();
  });
  it("facility manager: announces a window 24 h ahead and sees the notice flag", async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await loginAs(page, NAMES.facility_manager);
    await Promise.all([page.waitForURL(`${base}/ui/windows`), page.click("nav a[href='/ui/windows']")]);
    // The server's clock reads 2026-11-25 09:0x (Asia/Shanghai): tomorrow 09:30 is ~24 h ahead.
    await page.selectOption("#window-form select[name=devices]", ["sw-core-1"]);
    await page.fill("#window-form input[name=start]", "2026-11-26T09:30");
    await page.fill("#window-form input[name=end]", "2026-11-26T11:30");
    await page.fill("#window-form input[name=reason]", "核心交换机固件升级");
    await Promise.all([page.waitForURL(`${base}/ui/windows`), page.click("#create-window")]);
    const card = page.locator("#windows .card", { hasText: "核心交换机固件升级" });
    expect(await card.locator(".notice-violation").textContent()).toContain("不足 48 小时");
    expect(await card.textContent()).toContain("核心交换机-1");
    expect(await card.textContent()).toContain("2026-11-26 09:30:00");
    await page.screenshot({ path: join(SHOTS, "facility-manager-window.png"), fullPage: true });
    await context.close();
  });

  it("client auditor: opens last quarter's report, downloads CSV and PDF, approves an exemption", async () => {
    // A UPS on battery from the last evening of Q3 until five days ago (a typhoon took the mains):
    // severe, 2 h to resolve, breached; the exemption is asked within 15 days of its end.
    await sendCondition(h, {
      device: "ups-1",
      condition: "ups.on_battery",
      observedAt: "2026-09-30T20:00:00+08:00",
    });
    await sendCondition(h, {
      device: "ups-1",
      condition: "ups.on_battery",
      state: "clear",
      observedAt: "2026-11-20T14:00:00+08:00",
    });
    const typhoon = (await h.ctx.faults.faults())
      .find((f) => f.openedAt === Date.parse("2026-09-30T20:00:00+08:00"))!;
    const asked = await h.app.inject({
      method: "POST",
      url: `/api/v1/faults/${typhoon.id}/exemption`,
      headers: { authorization: `Bearer ${h.tokens.engineer}` },
      payload: { reason: "台风导致市电中断", evidence: "供电局停电通知 2026-0810" },
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const api = (
      await h.app.inject({
        url: "/api/v1/kpi?period=2026Q3",
        headers: { authorization: `Bearer ${h.tokens.client_auditor}` },
      })
    ).json().kpi as { total: number; breached: number; timeliness: number };
    expect(api).toMatchObject({ total: 1, breached: 1, timeliness: 0 });

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await loginAs(page, NAMES.client_auditor);
    await Promise.all([page.waitForURL(/\/ui\/report/), page.click("nav a[href='/ui/report']")]);
    await page.selectOption("#period", "2026Q3");
    await Promise.all([page.waitForURL(/period=2026Q3/), page.click(".period-form button")]);
    const kpi = await page.textContent("#report-kpi");
    expect(kpi).toContain("2026年第三季度");
    expect(kpi).toContain("0.00 %");
    expect(kpi).toContain("¥64,680");
    expect(await page.textContent("#report-breaches")).toContain(typhoon.id);
    expect(await page.locator("#chart-months svg").count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "client-auditor-report.png"), fullPage: true });

    for (const [link, ext] of [
      ["#download-csv", "csv"],
      ["#download-pdf", "pdf"],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(link)]);
      const file = join(SHOTS, `client-auditor-2026Q3.${ext}`);
      await download.saveAs(file);
      const text =
        ext === "csv"
          ? readFileSync(file, "utf8")
          : execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      expect(text, ext).toContain(typhoon.id);
      expect(text, ext).toContain("¥64,680");
      expect(text, ext).toMatch(/故障总数\W+1/);
    }

    await Promise.all([page.waitForURL(`${base}/ui/exemptions`), page.click("nav a[href='/ui/exemptions']")]);
    const card = page.locator(`#exemption-${typhoon.id}`);
    expect(await card.locator(".reason").textContent()).toBe("台风导致市电中断");
    await card.locator("input[name=reason]").fill("证据充分，同意豁免");
    await Promise.all([page.waitForURL(`${base}/ui/exemptions`), card.locator("button.approve").click()]);
    expect(await page.textContent("#decided")).toContain("已批准");
    expect(h.ctx.faults.liveFault(typhoon.id)!.exemption!.status).toBe("approved");
    await page.screenshot({ path: join(SHOTS, "client-auditor-exemption-approved.png"), fullPage: true });
    await context.close();
  });
});
