import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { shippedTemplates } from "../fixtures/templates.ts";
import { tempDir } from "../harness/process.ts";
import { getPage, login, postForm, uiCollector, visibleText } from "./harness.ts";

describe("inspection pages (inject)", () => {
  let h: Awaited<ReturnType<typeof uiCollector>>;
  let roundId: string;
  beforeAll(async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T08:00:00+08:00"));
    h = await uiCollector({ site: true, templates: shippedTemplates(["daily-server-room"]), clock });
    clock.set(Date.parse("2026-11-25T09:05:00+08:00"));
    roundId = (await h.ctx.inspections.tick()).created[0]!.id;
  });
  afterAll(async () => {
    await h.close();
  });

  it("the facility manager checks in through the QR link and answers out of range: the fault is on the page", async () => {
    const fm = await login(h.app, h.tokens.facility_manager);
    const list = await getPage(h.app, "/ui/inspections", fm.cookie);
    expect(visibleText(list.body)).toContain("机房日巡检");
    const round = (await h.ctx.inspections.rows.round(roundId))!;
    const code = h.ctx.inspections.checkinCode(round, "cold-aisle");
    const qr = await getPage(
      h.app,
      `/ui/inspections/rounds/${roundId}/checkin/cold-aisle?code=${code}`,
      fm.cookie,
    );
    expect(qr.statusCode).toBe(200);
    expect(visibleText(qr.body)).toContain("冷通道（机柜进风）");
    const checkin = await postForm(h.app, `/ui/inspections/rounds/${roundId}/checkin/cold-aisle`, fm.cookie, {
      _csrf: fm.csrf,
      code,
    });
    expect(checkin.statusCode).toBe(303);
    const wrong = await postForm(h.app, `/ui/inspections/rounds/${roundId}/checkin/ups`, fm.cookie, {
      _csrf: fm.csrf,
      code: "nope",
    });
    expect(wrong.statusCode).toBe(400);
    const hot = await postForm(h.app, `/ui/inspections/rounds/${roundId}/answers`, fm.cookie, {
      _csrf: fm.csrf,
      stop: "cold-aisle",
      item: "inlet-temp",
      value: "29.5",
    });
    expect(hot.statusCode).toBe(303);
    const page = visibleText((await getPage(h.app, `/ui/inspections/rounds/${roundId}`, fm.cookie)).body);
    expect(page).toContain("已签到 · wang.jingli");
    expect(page).toContain("29.5 °C 异常");
    expect(page).toContain("巡检异常：进风温度 29.5 °C 高于上限 27 °C（GB 50174-2017 §5.1.1）");
    expect(page).toContain("依据: GB 50174-2017 §5.1.1");
  });

  it("the client auditor reads the round and hazards but gets no forms, and posts are refused", async () => {
    const a = await login(h.app, h.tokens.client_auditor);
    const page = await getPage(h.app, `/ui/inspections/rounds/${roundId}`, a.cookie);
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain("您的角色只能查看巡检与隐患记录。");
    expect(page.body).not.toContain('id="finish"');
    expect(page.body).not.toContain('name="value"');
    expect((await getPage(h.app, "/ui/hazards", a.cookie)).statusCode).toBe(200);
    const post = await postForm(h.app, `/ui/inspections/rounds/${roundId}/answers`, a.cookie, {
      _csrf: a.csrf,
      stop: "cold-aisle",
      item: "floor-dry",
      value: "yes",
    });
    expect(post.statusCode).toBe(403);
    expect(
      (await postForm(h.app, "/ui/hazards", a.cookie, { _csrf: a.csrf, title: "t", location: "l" }))
        .statusCode,
    ).toBe(403);
  });

  it("the QR sheet is a PDF with every stop's name (read back with pdftotext)", async () => {
    const fm = await login(h.app, h.tokens.facility_manager);
    const pdf = await getPage(h.app, `/ui/inspections/rounds/${roundId}/qr.pdf`, fm.cookie);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const file = join(tempDir(), "sheet.pdf");
    writeFileSync(file, pdf.rawPayload);
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    for (const stop of [
      "冷通道（机柜进风）",
      "精密空调 / 漏水检测",
      "UPS 与配电",
      "气体灭火系统",
      "监控录像",
    ])
      expect(text).toContain(stop);
    expect(text).toContain("机房日巡检");
  });

  it("the quarter's KPI report carries the inspection summary, the same figures as the inspections API", async () => {
    const a = await login(h.app, h.tokens.client_auditor);
    const api = (
      await h.app.inject({
        method: "GET",
        url: "/api/v1/inspections/summary?period=2026Q4",
        headers: { authorization: `Bearer ${h.tokens.client_auditor}` },
      })
    ).json().summary as {
      rounds: { scheduled: number; abnormalItems: number };
      hazards: { reported: number };
    };
    expect(api.rounds.scheduled).toBeGreaterThan(0);
    const html = visibleText((await getPage(h.app, "/ui/report?period=2026Q4", a.cookie)).body);
    expect(html).toContain("巡检与隐患排查");
    expect(html).toMatch(new RegExp(`计划巡检次数\\s*${api.rounds.scheduled}\\b`));
    expect(html).toMatch(new RegExp(`异常项\\s*${api.rounds.abnormalItems}\\b`));
    const csv = (await getPage(h.app, "/ui/report.csv?period=2026Q4&lang=en", a.cookie)).body;
    expect(csv).toContain(`Rounds scheduled,${api.rounds.scheduled}`);
    expect(csv).toContain(`Hazards reported in the period,${api.hazards.reported}`);
  });
});
