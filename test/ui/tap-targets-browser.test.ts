/**
 * The report's tables keep their headings on one line at 360 px and scroll inside their card.
 * Every control on the pages people use on a phone is at least 44 px tall at 360 px wide (WCAG 2.2
 * 2.5.5 target size, Apple HIG 44 pt), measured in Debian's chromium: links, buttons, disclosure
 * summaries, inputs. Links inside a sentence are exempt (WCAG's "inline" exception) and say so.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { chromiumMissing, launchChromium } from "./chromium.ts";
import { collectorWithRound, listenForBrowser, NAMES, sendCondition, uiCollector } from "./harness.ts";

const skip = skipWithout(chromiumMissing(), "tap targets in chromium");
const SHOTS = join(tmpdir(), "watchfloor-ui");
const PASSWORD = "correct horse battery staple";
const MIN = 44;

/** The controls on the page shorter than MIN px: "tag#id.class 'text' 24px". */
function small(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("a, button, summary, input, select, textarea")) {
      if (el instanceof HTMLInputElement && (el.type === "hidden" || el.type === "file")) continue;
      if (el.closest("[hidden]")) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (el.closest("p.inline-text")) continue; // a link inside a sentence (WCAG inline exception)
      if (box.height < min)
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} '${(el.textContent || (el as HTMLInputElement).name || "").trim().slice(0, 20)}' ${Math.round(box.height)}px`);
    }
    return out;
  }, MIN);
}

describe.skipIf(skip)(`tap targets at 360 px: every control at least ${MIN} px tall`, () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ h } = await collectorWithRound({ roster: true }));
    await sendCondition(h, { device: "sw-core-1", condition: "if.down", labels: { ifname: "Te1/1/1" }, observedAt: "2026-11-25T09:00:00+08:00" });
    base = await listenForBrowser(h, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("board, fault page and round page, as the facility manager on a 360×740 phone", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/ui/login`);
    const found: Record<string, string[]> = { login: await small(page) };
    await page.fill("#name", NAMES.facility_manager);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/ui`), page.click("#login")]);
    const fault = h.ctx.faults.liveFaults()[0]!;
    const round = (await h.ctx.inspections.rows.rounds({ limit: 1 }))[0]!;
    for (const [name, path] of [
      ["board", "/ui"],
      ["fault", `/ui/faults/${fault.id}`],
      ["round", `/ui/inspections/rounds/${round.id}`],
      ["report", "/ui/report"],
    ] as const) {
      await page.goto(`${base}${path}`);
      // Every <details> open, so what is inside is measured too.
      await page.evaluate(() => {
        for (const d of document.querySelectorAll("details")) d.open = true;
      });
      await page.screenshot({ path: join(SHOTS, `uifix-tap-${name}-360.png`), fullPage: true });
      found[name] = await small(page);
    }
    expect(found).toEqual({ login: [], board: [], fault: [], round: [], report: [] });

    // The report's tables at 360 px: a heading on one line (it was one character per line), the wide
    // table scrolling inside its card, never the page.
    await page.goto(`${base}/ui/report`);
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll("th")].filter((th) => {
        const range = document.createRange();
        range.selectNodeContents(th);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      }).map((th) => th.textContent),
    );
    expect(broken).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.locator("#report-exemptions").scrollIntoViewIfNeeded().catch(() => undefined);
    await page.screenshot({ path: join(SHOTS, "uifix-report-tables-360.png"), fullPage: true });
    await context.close();
  });
});
