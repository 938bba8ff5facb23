/**
 * Inspection rounds and hazards in a real browser on a phone-sized screen (Debian's chromium through
 * playwright-core): QR check-in, answers with one out of range, offline mid-round, a camera photo,
 * back online, finish; and a hazard walked through its four states by two people.
 * Screenshots go to $TMPDIR/watchfloor-ui/.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Item } from "../../collector/domain/inspections/index.ts";
import { PNG } from "../fixtures/photo.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { chromiumMissing, launchChromium } from "./chromium.ts";
import { collectorWithRound, listenForBrowser, NAMES, uiCollector } from "./harness.ts";

const skip = skipWithout(chromiumMissing(), "inspections in chromium");
const SHOTS = join(tmpdir(), "watchfloor-ui");
const PASSWORD = "correct horse battery staple";

/** A normal answer for an item, from its own range (what a person reads off a healthy room). */
function normal(item: Item): string | undefined {
  if (item.kind === "reading") return String(item.range ? (item.range.min ?? item.range.max! - 1) : 1);
  return undefined;
}

describe.skipIf(skip)("inspections in chromium (390×844)", () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let browser: Browser;
  let base: string;
  let roundId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ h, roundId } = await collectorWithRound());
    base = await listenForBrowser(h, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function phone(name: string): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const csp: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) csp.push(m.text());
    });
    await page.goto(`${base}/ui`);
    await page.fill("#name", name);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/ui`), page.click("#login")]);
    return { context, page, csp };
  }

  const queueEmpty = (page: Page) =>
    page.waitForFunction(
      () => (JSON.parse(localStorage.getItem("wf-inspection-queue") || "[]") as unknown[]).length === 0,
    );

  it("facility manager: QR check-in, an out-of-range reading, offline with a photo, back online, finish", async () => {
    const { context, page, csp } = await phone(NAMES.facility_manager);
    await page.click("nav a[href='/ui/inspections']");
    await Promise.all([
      page.waitForURL(`${base}/ui/inspections/rounds/${roundId}`),
      page.click(`a[href='/ui/inspections/rounds/${roundId}']`),
    ]);
    expect(await page.textContent("#round-state")).toBe("待完成");
    await page.screenshot({ path: join(SHOTS, "inspection-round-open-390.png"), fullPage: true });

    // Every stop: open the URL printed as its QR code, tap 签到.
    const round = (await h.ctx.inspections.rows.round(roundId))!;
    for (const stop of round.stops) {
      await page.goto(
        `${base}/ui/inspections/rounds/${roundId}/checkin/${stop.id}?code=${h.ctx.inspections.checkinCode(round, stop.id)}`,
      );
      const box = await page.locator("#checkin").boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(48); // a thumb-sized target
      await Promise.all([
        page.waitForURL(new RegExp(`/ui/inspections/rounds/${roundId}#stop-${stop.id}$`)),
        page.click("#checkin"),
      ]);
    }
    expect(await page.locator(".checkin.ok").count()).toBe(round.stops.length);

    // Out of range: 29.5 °C at the cold aisle (GB 50174-2017: 18–27 °C).
    const inlet = page.locator("form.item[data-item=inlet-temp]");
    await inlet.locator("input[name=value]").fill("29.5");
    await inlet.locator("button").click();
    await queueEmpty(page);
    // The abnormal reading is red like its 异常 flag, not green beside it.
    await inlet.locator(".abnormal").waitFor();
    const colour = (sel: string) => inlet.locator(sel).evaluate((el) => getComputedStyle(el).color);
    expect(await colour(".answer")).toBe(await colour(".abnormal"));
    expect(await colour(".answer")).toBe("rgb(198, 40, 40)"); // --major, #c62828
    // An open range reads as people write it (GB 50174-2017 附录 A: ≤ 60 %), not "… – 60 %".
    expect(await page.locator("form.item[data-item=inlet-rh] .limit").textContent()).toContain("正常范围: ≤ 60 %");

    // The network goes; the checklist keeps working: answers and a photo wait in the browser.
    await context.setOffline(true);
    const items = round.stops.flatMap((s) => s.items.map((i) => ({ stop: s.id, item: i })));
    let offlineAnswers = 0;
    for (const { stop, item } of items) {
      if (item.id === "inlet-temp" || !item.required) continue;
      const form = page.locator(`#stop-${stop} form.item[data-item=${item.id}]`);
      if (item.kind === "yesno") await form.locator(`button[value=${item.expect}]`).click();
      else if (item.kind === "reading") {
        await form.locator("input[name=value]").fill(normal(item)!);
        await form.locator("button").click();
      }
      offlineAnswers++;
      if (offlineAnswers === 3) break; // the rest after the network returns
    }
    await page
      .locator("#stop-cold-aisle > .stop-items > label input.photo-input")
      .setInputFiles({ name: "floor.png", mimeType: "image/png", buffer: PNG });
    await expect
      .poll(() =>
        page.evaluate(
          () => (JSON.parse(localStorage.getItem("wf-inspection-queue") || "[]") as unknown[]).length,
        ),
      )
      .toBe(4);
    expect(await page.textContent("#queue-status")).toContain("4 条待发送");
    await page.screenshot({ path: join(SHOTS, "inspection-offline-queued-390.png"), fullPage: true });
    await page.locator("#stop-cold-aisle").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "inspection-offline-stop-390.png") });
    expect((await h.ctx.inspections.rows.round(roundId))!.photos).toHaveLength(0);

    await context.setOffline(false);
    await queueEmpty(page);
    const afterFlush = (await h.ctx.inspections.rows.round(roundId))!;
    expect(afterFlush.photos).toHaveLength(1);
    expect(afterFlush.faults[0]!.photos).toEqual([afterFlush.photos[0]!.hash]);

    await page.reload();
    for (const { stop, item } of items) {
      if (!item.required || (await h.ctx.inspections.rows.round(roundId))!.answers[`${stop}/${item.id}`]) continue;
      const form = page.locator(`#stop-${stop} form.item[data-item=${item.id}]`);
      if (item.kind === "yesno") await form.locator(`button[value=${item.expect}]`).click();
      else if (item.kind === "reading") {
        await form.locator("input[name=value]").fill(normal(item)!);
        await form.locator("button").click();
      }
    }
    await queueEmpty(page);
    await Promise.all([page.waitForSelector("#finished"), page.click("#finish")]);
    expect(await page.textContent("#round-state")).toBe("按时完成");
    await page.screenshot({ path: join(SHOTS, "inspection-finished-390.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    const done = (await h.ctx.inspections.rows.round(roundId))!;
    expect(done.status).toBe("completed");
    expect(done.faults).toHaveLength(1);
    const fault = h.ctx.faults.liveFault(done.faults[0]!.faultId)!;
    expect(fault.title).toBe("巡检异常：进风温度 29.5 °C 高于上限 27 °C（GB 50174-2017 §5.1.1）");
    expect(fault.comments.map((c) => c.text).join("\n")).toContain(`sha256:${done.photos[0]!.hash}`);
    // Each answer arrived once, whatever the retries.
    expect((await h.ctx.store.audit()).filter((e) => e.action === "inspection.photo")).toHaveLength(1);
    expect(csp).toEqual([]);
    await context.close();
  });

  it("a hazard walks its four states with two people: reported and checked by the manager, fixed by the engineer", async () => {
    const fm = await phone(NAMES.facility_manager);
    const eng = await phone(NAMES.engineer);
    await fm.page.goto(`${base}/ui/hazards`);
    await fm.page.fill("#hazard-title", "灭火器压力表指针在红区");
    await fm.page.fill("#hazard-location", "坐席区东侧");
    await fm.page
      .locator("#report-hazard input.hazard-photo")
      .setInputFiles({ name: "before.png", mimeType: "image/png", buffer: PNG });
    await fm.page.waitForSelector("#report-hazard img[data-sha256]");
    await Promise.all([fm.page.waitForURL(/\/ui\/hazards\/H-/), fm.page.click("#report")]);
    const url = fm.page.url();
    expect(await fm.page.textContent("#hazard-status")).toBe("已上报");

    await eng.page.goto(url);
    await Promise.all([eng.page.waitForSelector("#record-fix"), eng.page.click("#start-fix")]);
    expect(await eng.page.textContent("#hazard-status")).toBe("整改中");
    await eng.page
      .locator("input.hazard-photo")
      .setInputFiles({
        name: "after.png",
        mimeType: "image/png",
        buffer: Buffer.concat([PNG, Buffer.from("after")]),
      });
    await eng.page.waitForSelector("form img[data-sha256]");
    await Promise.all([eng.page.waitForURL(url), eng.page.click("#record-fix")]);
    // The engineer who fixed it cannot check it.
    expect(await eng.page.locator("#accept-fix").count()).toBe(0);
    await eng.page.screenshot({ path: join(SHOTS, "hazard-fixed-engineer-390.png"), fullPage: true });

    await fm.page.reload();
    await Promise.all([fm.page.waitForSelector("#close-hazard"), fm.page.click("#accept-fix")]);
    expect(await fm.page.textContent("#hazard-status")).toBe("已验收");
    await Promise.all([fm.page.waitForSelector(".closed"), fm.page.click("#close-hazard")]);
    expect(await fm.page.textContent("#hazard-status")).toBe("已关闭");
    expect(await fm.page.textContent(".reported")).toContain(NAMES.facility_manager);
    expect(await fm.page.textContent(".fixed")).toContain(NAMES.engineer);
    expect(await fm.page.textContent(".checked")).toContain(NAMES.facility_manager);
    expect(await fm.page.locator(".reported img, .fixed img").count()).toBe(2);
    await fm.page.screenshot({ path: join(SHOTS, "hazard-closed-390.png"), fullPage: true });
    expect([...fm.csp, ...eng.csp]).toEqual([]);
    await fm.context.close();
    await eng.context.close();
  });
});
