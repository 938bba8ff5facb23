import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../collector/domain/index.ts";
import type { Round, Template } from "../../collector/domain/inspections/index.ts";
import type { ManualClock } from "../../common/clock.ts";
import { PNG } from "../fixtures/photo.ts";
import { shippedTemplates } from "../fixtures/templates.ts";
import { tempDir } from "../harness/process.ts";
import { testCollector } from "./harness.ts";

const TEMPLATES: Template[] = shippedTemplates();
const SERVER_ROOM = TEMPLATES.filter((t) => t.id === "daily-server-room");

type H = Awaited<ReturnType<typeof testCollector>>;
const open: H[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.app.close();
});
async function collector(opts: Parameters<typeof testCollector>[0]) {
  const h = await testCollector(opts);
  open.push(h);
  return h;
}

type PresentedRound = { id: string; key: string; state: string; status: string; stops: Array<{ id: string; items: Array<Record<string, unknown>> }>; faults: Array<{ id: string; photos: string[]; class: string }> };

async function rounds(h: H): Promise<PresentedRound[]> {
  const res = await h.call("GET", "/api/v1/inspections/rounds", h.tokens.client_auditor);
  expect(res.status).toBe(200);
  return res.body.rounds as PresentedRound[];
}

async function uploadPhoto(h: H, token: string, bytes = PNG): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/inspections/photos",
    headers: { authorization: `Bearer ${token}`, "content-type": "image/png" },
    payload: bytes,
  });
  expect(res.statusCode).toBeLessThan(300);
  return res.json().sha256;
}

/** Answers every required item of a round normally (after checking in everywhere by QR code). */
async function fillNormally(h: H, token: string, round: Round) {
  for (const stop of round.stops) {
    const code = h.ctx.inspections.checkinCode((await h.ctx.inspections.rows.round(round.id))!, stop.id);
    expect((await h.call("POST", `/api/v1/inspections/rounds/${round.id}/stops/${stop.id}/checkin`, token, { code })).status).toBe(200);
    for (const item of stop.items) {
      if (!item.required) continue;
      let value: unknown;
      if (item.kind === "yesno") value = item.expect === "yes";
      else if (item.kind === "choice") value = item.normal[0];
      else if (item.kind === "reading") value = item.range ? (item.range.min ?? item.range.max! - 1) : 1;
      else if (item.kind === "photo") value = await uploadPhoto(h, token);
      else value = "ok";
      const res = await h.call("POST", `/api/v1/inspections/rounds/${round.id}/answers`, token, { stop: stop.id, item: item.id, value });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  }
}

describe("schedules: rounds from cron firings, none skipped, created once", () => {
  it("a firing missed while the collector was down is created on start, overdue if past due; a restart adds nothing", async () => {
    const dbFile = join(tempDir(), "collector.db");
    const first = await collector({ dbFile, start: "2026-11-25T08:00:00+08:00", templates: TEMPLATES });
    expect(await rounds(first)).toEqual([]); // installed at 08:00: nothing owed before
    (first.clock as ManualClock).set(Date.parse("2026-11-25T09:00:30+08:00"));
    expect((await first.ctx.inspections.tick()).created.map((r) => r.key)).toEqual([
      "daily-floor-patrol@2026-11-25T08:30:00+08:00",
      "daily-server-room@2026-11-25T09:00:00+08:00",
    ]);
    await first.app.close();
    open.splice(0);

    // Down from 09:00:30 on the 25th until 10:00 on the 27th: two mornings of each daily round missed.
    const second = await collector({ dbFile, start: "2026-11-27T10:00:00+08:00", templates: TEMPLATES });
    const all = await rounds(second);
    expect(all.map((r) => [r.key, r.state])).toEqual([
      ["daily-server-room@2026-11-27T09:00:00+08:00", "due"],
      ["daily-floor-patrol@2026-11-27T08:30:00+08:00", "due"],
      ["daily-server-room@2026-11-26T09:00:00+08:00", "overdue"],
      ["daily-floor-patrol@2026-11-26T08:30:00+08:00", "overdue"],
      ["daily-server-room@2026-11-25T09:00:00+08:00", "overdue"],
      ["daily-floor-patrol@2026-11-25T08:30:00+08:00", "overdue"],
    ]);
    const scheduled = (await second.store.audit()).filter((e) => e.action === "inspection.schedule");
    expect(scheduled).toHaveLength(6);
    await second.app.close();
    open.splice(0);

    const third = await collector({ dbFile, start: "2026-11-27T10:05:00+08:00", templates: TEMPLATES });
    expect(await rounds(third)).toHaveLength(6);
  });

  it("a standby collector creates no rounds; two active ones on one store create each firing once", async () => {
    const dbFile = join(tempDir(), "collector.db");
    const a = await collector({ dbFile, start: "2026-11-25T08:00:00+08:00", templates: SERVER_ROOM, isActive: () => false });
    (a.clock as ManualClock).set(Date.parse("2026-11-25T09:30:00+08:00"));
    expect((await a.ctx.inspections.tick()).created).toEqual([]);
    expect(await rounds(a)).toEqual([]);
    const b = await collector({ dbFile, start: "2026-11-25T08:00:00+08:00", templates: SERVER_ROOM });
    const c = await collector({ dbFile, start: "2026-11-25T08:00:00+08:00", templates: SERVER_ROOM });
    (b.clock as ManualClock).set(Date.parse("2026-11-26T09:30:00+08:00"));
    (c.clock as ManualClock).set(Date.parse("2026-11-26T09:30:00+08:00"));
    const made = [...(await b.ctx.inspections.tick()).created, ...(await c.ctx.inspections.tick()).created].map((r) => r.key);
    expect(made.sort()).toEqual(["daily-server-room@2026-11-25T09:00:00+08:00", "daily-server-room@2026-11-26T09:00:00+08:00"]);
    expect(await rounds(c)).toHaveLength(2); // c added the users last: its tokens are the current ones
  });
});

describe("doing a round through the API", () => {
  async function roundAt9(templates = SERVER_ROOM) {
    const h = await collector({
      start: "2026-11-25T08:00:00+08:00",
      templates,
      inventory: { devices: { "ups-1": { id: "ups-1", class: "ups", criticality: "high", dependsOn: [] } } },
    });
    (h.clock as ManualClock).set(Date.parse("2026-11-25T09:05:00+08:00"));
    const [round] = (await h.ctx.inspections.tick()).created;
    return { h, round: round! };
  }

  it("QR check-in, an out-of-range reading opens a fault linked to the round, stop and photo; finish; metrics", async () => {
    const { h, round } = await roundAt9();
    const fm = h.tokens.facility_manager;
    const url = `/api/v1/inspections/rounds/${round.id}`;
    const wrong = await h.call("POST", `${url}/stops/cold-aisle/checkin`, fm, { code: "0000" });
    expect(wrong).toMatchObject({ status: 400, body: { error: "BAD_REQUEST" } });
    const code = h.ctx.inspections.checkinCode((await h.ctx.inspections.rows.round(round.id))!, "cold-aisle");
    const ok = await h.call("POST", `${url}/stops/cold-aisle/checkin`, fm, { code });
    expect(ok.status).toBe(200);
    expect((ok.body.round as PresentedRound).stops[0]).toMatchObject({ checkedIn: { by: "fm", via: "qr" } });

    const hot = await h.call("POST", `${url}/answers`, fm, { stop: "cold-aisle", item: "inlet-temp", value: 29.5, clientId: "phone-1-0001" });
    expect(hot.status).toBe(200);
    const [link] = (hot.body.round as PresentedRound).faults;
    // inlet-temp names env.temperature_high: the default rules make that 严重 (severe).
    expect(link).toMatchObject({ class: "severe", status: "open", title: "巡检异常：进风温度 29.5 °C 高于上限 27 °C（GB 50174-2017 §5.1.1）" });

    const sha = await uploadPhoto(h, fm);
    expect(sha).toBe(createHash("sha256").update(PNG).digest("hex"));
    const withPhoto = await h.call("POST", `${url}/photos`, fm, { stop: "cold-aisle", sha256: sha, clientId: "phone-1-0002" });
    expect((withPhoto.body.round as PresentedRound).faults[0]!.photos).toEqual([sha]);
    const fault = await h.call("GET", `/api/v1/faults/${link!.id}`, h.tokens.client_auditor);
    const comments = (fault.body.fault as { comments: Array<{ text: string }> }).comments.map((c) => c.text).join("\n");
    expect(comments).toContain(`巡检 round ${round.id}`);
    expect(comments).toContain("点位 stop cold-aisle");
    expect(comments).toContain(`sha256:${sha}`);
    const photo = await h.app.inject({ method: "GET", url: `/api/v1/inspections/photos/${sha}`, headers: { authorization: `Bearer ${h.tokens.client_auditor}` } });
    expect(photo.rawPayload.equals(PNG)).toBe(true);

    // A resend from the offline queue (same client id) answers the first result and changes nothing.
    const auditBefore = (await h.store.audit()).length;
    const again = await h.app.inject({
      method: "POST",
      url: `${url}/answers`,
      headers: { authorization: `Bearer ${fm}` },
      payload: { stop: "cold-aisle", item: "inlet-temp", value: 29.5, clientId: "phone-1-0001" },
    });
    expect(again.headers["x-watchfloor-replay"]).toBe("1");
    expect((await h.store.audit()).length).toBe(auditBefore);
    expect((await h.call("GET", "/api/v1/faults", fm)).body.faults).toHaveLength(1);
    const stolen = await h.call("POST", `${url}/answers`, h.tokens.engineer, { stop: "cold-aisle", item: "inlet-temp", value: 22, clientId: "phone-1-0001" });
    expect(stolen.body.error).toBe("CLIENT_ID_USED");

    await fillNormally(h, fm, (await h.ctx.inspections.rows.round(round.id))!);
    const done = await h.call("POST", `${url}/finish`, fm, {});
    expect(done.status).toBe(200);
    expect(done.body.round).toMatchObject({ status: "completed", state: "done_on_time", completedBy: "fm" });

    const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('watchfloor_inspection_rounds_scheduled_total{template="daily-server-room"} 1');
    expect(metrics).toContain('watchfloor_inspection_rounds_completed_total{template="daily-server-room",on_time="true"} 1');
    expect(metrics).toContain('watchfloor_inspection_abnormal_items_total{template="daily-server-room"} 1');
    expect(metrics).toContain('watchfloor_inspection_rounds_overdue{template="daily-server-room"} 0');

    const timeline = await h.call("GET", url, h.tokens.client_auditor);
    const actions = (timeline.body.timeline as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["inspection.schedule", "inspection.claim", "inspection.checkin", "inspection.answer", "inspection.abnormal", "inspection.photo", "inspection.finish"]));
    // The timeline is read through its index, not by scanning the trail; the chain still verifies.
    const plan = h.store.sqlite!
      .prepare("EXPLAIN QUERY PLAN SELECT seq FROM audit WHERE json_extract(detail, '$.round') = ? ORDER BY seq")
      .all(round.id) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(" ")).toContain("audit_round");
    expect(verifyAuditChain(await h.store.audit(), await h.store.auditHead())).toMatchObject({ ok: true });
  });

  it("offline answers keep the time they were given; a time in the future or before the firing is refused", async () => {
    const { h, round } = await roundAt9();
    const fm = h.tokens.facility_manager;
    const url = `/api/v1/inspections/rounds/${round.id}`;
    await h.call("POST", `${url}/stops/cold-aisle/checkin`, fm, {});
    const late = await h.call("POST", `${url}/answers`, fm, { stop: "cold-aisle", item: "floor-dry", value: true, at: "2026-11-25T09:01:00+08:00" });
    const stop = (late.body.round as PresentedRound).stops[0]!;
    expect(stop.items.find((i) => i.id === "floor-dry")!.answer).toMatchObject({ at: "2026-11-25T09:01:00+08:00", by: "fm" });
    expect((stop as unknown as { checkedIn: { via: string } }).checkedIn.via).toBe("manual");
    expect((await h.call("POST", `${url}/answers`, fm, { stop: "cold-aisle", item: "floor-dry", value: true, at: "2026-11-25T10:00:00+08:00" })).status).toBe(400);
    expect((await h.call("POST", `${url}/answers`, fm, { stop: "cold-aisle", item: "floor-dry", value: true, at: "2026-11-25T08:59:00+08:00" })).status).toBe(400);
    const bad = await h.call("POST", `${url}/answers`, fm, { stop: "cold-aisle", item: "inlet-temp", value: "hot" });
    expect(bad).toMatchObject({ status: 400, body: { error: "BAD_ANSWER" } });
  });

  it("roles: the client auditor reads rounds and hazards but cannot fill; nobody edits a finished round", async () => {
    const { h, round } = await roundAt9();
    const url = `/api/v1/inspections/rounds/${round.id}`;
    const auditor = h.tokens.client_auditor;
    for (const path of ["/api/v1/inspections/rounds", url, "/api/v1/inspections/templates", "/api/v1/hazards", "/api/v1/inspections/summary?period=2026Q4"])
      expect((await h.call("GET", path, auditor)).status, path).toBe(200);
    const posts: Array<[string, unknown]> = [
      [`${url}/claim`, {}],
      [`${url}/assign`, { to: "client" }],
      [`${url}/stops/cold-aisle/checkin`, {}],
      [`${url}/answers`, { stop: "cold-aisle", item: "floor-dry", value: true }],
      [`${url}/photos`, { stop: "cold-aisle", sha256: "a".repeat(64) }],
      [`${url}/finish`, {}],
      [`${url}/annotations`, { text: "x" }],
      ["/api/v1/hazards", { title: "t", location: "l" }],
      ["/api/v1/hazards/H-1/start-fix", {}],
      ["/api/v1/hazards/H-1/check", { accept: true }],
      ["/api/v1/hazards/H-1/close", {}],
    ];
    for (const [path, body] of posts) expect((await h.call("POST", path, auditor, body)).status, path).toBe(403);
    const upload = await h.app.inject({ method: "POST", url: "/api/v1/inspections/photos", headers: { authorization: `Bearer ${auditor}`, "content-type": "image/png" }, payload: PNG });
    expect(upload.statusCode).toBe(403);
    // Only a facility manager (or admin) assigns.
    expect((await h.call("POST", `${url}/assign`, h.tokens.engineer, { to: "eng" })).status).toBe(403);
    expect((await h.call("POST", `${url}/assign`, h.tokens.facility_manager, { to: "eng" })).status).toBe(200);

    await fillNormally(h, h.tokens.engineer, round);
    expect((await h.call("POST", `${url}/finish`, h.tokens.engineer, {})).status).toBe(200);
    for (const token of [h.tokens.engineer, h.tokens.facility_manager, h.tokens.admin]) {
      const edit = await h.call("POST", `${url}/answers`, token, { stop: "cold-aisle", item: "inlet-temp", value: 35 });
      expect(edit).toMatchObject({ status: 409, body: { error: "ROUND_FINISHED" } });
      expect((await h.call("POST", `${url}/stops/ups/checkin`, token, {})).status).toBe(409);
      expect((await h.call("POST", `${url}/finish`, token, {})).status).toBe(409);
    }
    const note = await h.call("POST", `${url}/annotations`, h.tokens.facility_manager, { text: "温度计 11 月已校准" });
    expect(note.status).toBe(200);
    expect((note.body.round as { annotations: Array<{ by: string; text: string }> }).annotations).toMatchObject([{ by: "fm", text: "温度计 11 月已校准" }]);
    expect((await h.store.audit()).filter((e) => e.action === "inspection.annotate")).toHaveLength(1);
  });
});

describe("hazards through the API", () => {
  it("reported → being fixed → fix checked (by someone else) → closed, then in the quarter's summary", async () => {
    const h = await collector({ start: "2026-11-25T10:00:00+08:00" });
    const fm = h.tokens.facility_manager;
    const eng = h.tokens.engineer;
    const before = await uploadPhoto(h, fm);
    const reported = await h.call("POST", "/api/v1/hazards", fm, { title: "灭火器压力不足", location: "坐席区东", photos: [before] });
    expect(reported.status).toBe(201);
    const id = (reported.body.hazard as { id: string }).id;
    expect((await h.call("POST", `/api/v1/hazards/${id}/start-fix`, eng, { note: "已报维保" })).status).toBe(200);
    const after = await uploadPhoto(h, eng, Buffer.concat([PNG, Buffer.from([0])]));
    expect((await h.call("POST", `/api/v1/hazards/${id}/fix`, eng, { photos: [after] })).status).toBe(200);
    const self = await h.call("POST", `/api/v1/hazards/${id}/check`, eng, { accept: true });
    expect(self.status).toBe(403); // engineers do not check fixes
    (h.clock as ManualClock).advance(3 * 86_400_000);
    const checked = await h.call("POST", `/api/v1/hazards/${id}/check`, fm, { accept: true });
    expect(checked.body.hazard).toMatchObject({ status: "fix_checked", status_zh: "已验收" });
    const closed = await h.call("POST", `/api/v1/hazards/${id}/close`, h.tokens.admin, {});
    expect(closed.body.hazard).toMatchObject({
      status: "closed",
      reported: { by: "fm", photos: [before] },
      fixStarted: { by: "eng" },
      fixed: { by: "eng", photos: [after] },
      checked: { by: "fm" },
      closed: { by: "root" },
    });
    expect((await h.store.audit()).filter((e) => e.action.startsWith("hazard.")).map((e) => e.action)).toEqual([
      "hazard.report",
      "hazard.start_fix",
      "hazard.record_fix",
      "hazard.check_fix",
      "hazard.close",
    ]);
    const open2 = await h.call("POST", "/api/v1/hazards", eng, { title: "出口堆放纸箱", location: "西侧安全出口" });
    expect(open2.status).toBe(201);
    const summary = await h.call("GET", "/api/v1/inspections/summary?period=2026Q4", h.tokens.client_auditor);
    expect((summary.body.summary as { hazards: unknown }).hazards).toEqual({
      reported: 2,
      closed: 1,
      open: 1,
      openByAge: { lt_1d: 1, "1d_7d": 0, "7d_30d": 0, ge_30d: 0 },
    });
    const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toContain('watchfloor_hazards_open{age="lt_1d"} 1');
  });
});
