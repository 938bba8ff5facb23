/**
 * The web UI in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser). Logs in through the form, reads the board, acknowledges a fault, keeps screenshots in /tmp.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithout } from "../harness/peer-gate.ts";
import { NAMES, openFault, uiCollector } from "./harness.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const skip = skipWithout(
  hasChromium ? undefined : `${CHROMIUM} is absent (apt-get install chromium)`,
  "web UI in chromium",
);

describe.skipIf(skip)("web UI in chromium", () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    h = await uiCollector({ roster: true });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 20_000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("logs in, sees the on-call name and the fault, and acknowledges it", async () => {
    const id = await openFault(h.app, h.tokens.admin, {
      device: "ups-1",
      class: "major",
      title: "UPS 市电中断，电池供电",
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);

    await page.goto(`${base}/ui`);
    expect(new URL(page.url()).pathname).toBe("/ui/login");
    await page.fill("#token", h.tokens.engineer);
    await Promise.all([page.waitForURL(`${base}/ui`), page.click("#login")]);

    await expect.poll(() => page.textContent("#oncall")).toContain("张伟");
    const row = page.locator("#faults tr.fault", { hasText: "UPS 市电中断" });
    expect(await row.locator(".class").textContent()).toBe("重大");
    expect(await row.textContent()).toContain("未处理");
    await page.screenshot({ path: "/tmp/watchfloor-ui-board.png", fullPage: true });

    await Promise.all([page.waitForURL(`${base}/ui/faults/${id}`), row.locator("a").click()]);
    await page.fill("form[action$='/ack'] input[name=note]", "远程支持已开始");
    // The form posts and is redirected back to the same URL: wait for the new state, not the URL.
    await page.click("#ack");
    await page.waitForSelector("#status .status-acknowledged");

    expect(await page.textContent("#status")).toBe("已确认");
    expect(await page.textContent(".acked-by")).toContain(NAMES.engineer);
    expect(await page.locator("#ack").count()).toBe(0);
    await page.screenshot({ path: "/tmp/watchfloor-ui-fault.png", fullPage: true });
    expect(h.ctx.faults.fault(id)!.acknowledgedBy).toBe(NAMES.engineer);
  });
});
