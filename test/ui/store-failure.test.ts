/**
 * Review (diskfull, not done): a web UI request that fails on the store answered a 500 "出错了" page
 * while the API answered 503. A full store here is SQLite's own limit (PRAGMA max_page_count): it
 * answers SQLITE_FULL exactly as a full disk does (test/e2e/collector-disk-full.test.ts fills a real one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, openFault, postForm, uiCollector, visibleText } from "./harness.ts";

let h: Awaited<ReturnType<typeof uiCollector>>;
beforeAll(async () => {
  h = await uiCollector({ site: true });
});
afterAll(async () => h?.close());

describe("web UI on a full store", () => {
  it("a comment that cannot be written: 503 with Retry-After and a page saying it was not saved (Chinese, English); then it works again", async () => {
    const faultId = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "UPS 过载" });
    const eng = await login(h.app, h.tokens.engineer);
    const sqlite = h.ctx.store.db.sqlite!;
    const pages = sqlite.pragma("page_count", { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages}`);
    // Comments until the store has no room left (the pages it has fill up first).
    let saved = 0;
    let refused = await postForm(h.app, `/ui/faults/${faultId}/comment`, eng.cookie, { _csrf: eng.csrf, text: `备注 ${"满".repeat(300)}` });
    while (refused.statusCode === 303 && saved < 200) {
      saved += 1;
      refused = await postForm(h.app, `/ui/faults/${faultId}/comment`, eng.cookie, { _csrf: eng.csrf, text: `备注 ${"满".repeat(300)}` });
    }
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("30");
    expect(visibleText(refused.body)).toContain("数据存储暂时不可用");
    expect(visibleText(refused.body)).toContain("没有保存");
    const english = await postForm(h.app, `/ui/faults/${faultId}/comment?lang=en`, eng.cookie, { _csrf: eng.csrf, text: `note ${"x".repeat(300)}` });
    expect(english.statusCode).toBe(503);
    expect(visibleText(english.body)).toContain("The data store is unavailable");
    sqlite.pragma("max_page_count = 1073741823");
    const after = await postForm(h.app, `/ui/faults/${faultId}/comment`, eng.cookie, { _csrf: eng.csrf, text: "市电恢复后复查" });
    expect(after.statusCode).toBe(303);
    const fault = (await (await h.app.inject({ url: `/api/v1/faults/${faultId}`, headers: { authorization: `Bearer ${h.tokens.engineer}` } })).json()) as {
      fault: { comments: Array<{ text: string }> };
    };
    // The refused comments were not kept; the one after the room came back was.
    expect(fault.fault.comments).toHaveLength(saved + 1);
    expect(fault.fault.comments.at(-1)!.text).toBe("市电恢复后复查");
  });
});
