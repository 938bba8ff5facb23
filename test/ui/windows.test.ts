import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { getPage, login, NAMES, openFault, postForm, uiCollector, visibleText } from "./harness.ts";

type Harness = Awaited<ReturnType<typeof uiCollector>>;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A multipart body as a browser sends it (fields, then files). */
function multipart(fields: Record<string, string>, files: Array<{ name: string; type: string; body: Buffer }>) {
  const boundary = "----wfTestBoundary7MA4YWxkTrZu0gW";
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files)
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`),
      f.body,
      Buffer.from("\r\n"),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

// The smallest valid PNG (1×1), from the PNG specification's structure: signature, IHDR, IDAT, IEND.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

describe("maintenance windows in the UI", () => {
  it("a facility manager announces a window 24 h ahead: it is listed, flagged under 48 h notice", async () => {
    h = await uiCollector({ site: true });
    const { cookie, csrf } = await login(h.app, h.tokens.facility_manager);
    // The clock is 2026-11-25 09:00 (Asia/Shanghai); the form's times are the site's wall time.
    const res = await postForm(h.app, "/ui/windows", cookie, {
      _csrf: csrf,
      devices: "sw-core-1",
      start: "2026-11-26T09:00",
      end: "2026-11-26T11:00",
      reason: "核心交换机固件升级 <b>",
    });
    expect(res.statusCode, res.body).toBe(303);
    const w = h.ctx.faults.windows()[0]!;
    expect(w.start).toBe(Date.parse("2026-11-26T09:00:00+08:00"));
    expect(w.noticeViolation).toBe(true);
    expect(w.by).toBe(NAMES.facility_manager);
    const page = await getPage(h.app, "/ui/windows", cookie);
    const text = visibleText(page.body);
    expect(text).toContain("核心交换机固件升级 <b>");
    expect(page.body).not.toContain("升级 <b>");
    expect(text).toContain("提前通知 1天0小时00分 · 不足 48 小时");
    expect(page.body).toContain('class="notice-violation"');

    // 49 h ahead: no flag.
    await postForm(h.app, "/ui/windows", cookie, {
      _csrf: csrf,
      zones: "floor",
      start: "2026-11-27T10:00",
      end: "2026-11-27T12:00",
      reason: "坐席区网络割接",
    });
    expect(h.ctx.faults.windows().find((x) => x.zones.includes("floor"))!.noticeViolation).toBe(false);
  });

  it("refuses a window without scope or with end before start (400), and other roles (403)", async () => {
    h = await uiCollector({ site: true });
    const fm = await login(h.app, h.tokens.facility_manager);
    const bad = await postForm(h.app, "/ui/windows", fm.cookie, { _csrf: fm.csrf, start: "2026-11-26T09:00", end: "2026-11-26T08:00", reason: "x", devices: "ups-1" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("结束时间须晚于开始时间");
    const noScope = await postForm(h.app, "/ui/windows", fm.cookie, { _csrf: fm.csrf, start: "2026-11-26T09:00", end: "2026-11-26T10:00", reason: "x" });
    expect(noScope.statusCode).toBe(400);
    for (const role of ["engineer", "client_auditor"] as const) {
      const u = await login(h.app, h.tokens[role]);
      const res = await postForm(h.app, "/ui/windows", u.cookie, { _csrf: u.csrf, start: "2026-11-26T09:00", end: "2026-11-26T10:00", reason: "x", devices: "ups-1" });
      expect(res.statusCode, role).toBe(403);
      expect((await getPage(h.app, "/ui/windows", u.cookie)).body, role).not.toContain('id="window-form"');
    }
    expect(h.ctx.faults.windows()).toEqual([]);
  });
});

describe("exemptions in the UI", () => {
  it("an engineer asks with a PNG as evidence (stored with its hash); the client auditor approves in the queue", async () => {
    h = await uiCollector({ site: true });
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "市电中断" });
    const eng = await login(h.app, h.tokens.engineer);
    const form = multipart({ _csrf: eng.csrf, reason: "市政停电 <script>x</script>" }, [{ name: "供电局通知.png", type: "image/png", body: PNG }]);
    const asked = await h.app.inject({ method: "POST", url: `/ui/faults/${id}/exemption`, headers: { cookie: eng.cookie, ...form.headers }, payload: form.payload });
    expect(asked.statusCode, asked.body).toBe(303);
    const sha = createHash("sha256").update(PNG).digest("hex");
    expect(h.ctx.faults.liveFault(id)!.exemption).toMatchObject({ status: "requested", evidence: `供电局通知.png sha256:${sha}` });

    const auditor = await login(h.app, h.tokens.client_auditor);
    const queue = await getPage(h.app, "/ui/exemptions", auditor.cookie);
    expect(visibleText(queue.body)).toContain("市政停电 <script>x</script>");
    expect(queue.body).not.toContain("<script>x");
    const link = /href="(\/ui\/evidence\/\d+)"/.exec(queue.body)![1]!;
    const file = await getPage(h.app, link, auditor.cookie);
    expect(file.headers["content-type"]).toBe("image/png");
    expect(file.headers["x-evidence-sha256"]).toBe(sha);
    expect(file.rawPayload.equals(PNG)).toBe(true);

    const approve = await postForm(h.app, `/ui/exemptions/${id}/decide`, auditor.cookie, { _csrf: auditor.csrf, decision: "approve", reason: "证据充分" });
    expect(approve.statusCode).toBe(303);
    expect(h.ctx.faults.liveFault(id)!.exemption).toMatchObject({ status: "approved", decidedBy: NAMES.client_auditor, decisionReason: "证据充分" });
    expect(visibleText((await getPage(h.app, "/ui/exemptions", auditor.cookie)).body)).toContain("没有待审批的豁免申请");
  });

  it("refuses evidence that is not an image or PDF whatever its name, and files over 5 MB; nothing is kept", async () => {
    h = await uiCollector({ site: true });
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "x" });
    const eng = await login(h.app, h.tokens.engineer);
    const post = (files: Array<{ name: string; type: string; body: Buffer }>) => {
      const form = multipart({ _csrf: eng.csrf, reason: "flood" }, files);
      return h!.app.inject({ method: "POST", url: `/ui/faults/${id}/exemption`, headers: { cookie: eng.cookie, ...form.headers }, payload: form.payload });
    };
    const html = await post([{ name: "photo.png", type: "image/png", body: Buffer.from("<html><script>alert(1)</script>") }]);
    expect(html.statusCode).toBe(415);
    const big = await post([{ name: "big.pdf", type: "application/pdf", body: Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(5 * 1024 * 1024)]) }]);
    expect(big.statusCode).toBe(413);
    expect(h.ctx.faults.liveFault(id)!.exemption).toBeUndefined();
    expect(h.ctx.store.sqlite!.prepare("SELECT COUNT(*) AS n FROM evidence_files").get()).toEqual({ n: 0 });
    // Without the CSRF token the multipart post is refused too.
    const form = multipart({ reason: "flood" }, []);
    const forged = await h.app.inject({ method: "POST", url: `/ui/faults/${id}/exemption`, headers: { cookie: eng.cookie, ...form.headers }, payload: form.payload });
    expect(forged.statusCode).toBe(403);
  });

  it("only the client auditor decides; a rejection needs a reason", async () => {
    h = await uiCollector();
    const id = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "x" });
    const eng = await login(h.app, h.tokens.engineer);
    const form = multipart({ _csrf: eng.csrf, reason: "flood" }, []);
    await h.app.inject({ method: "POST", url: `/ui/faults/${id}/exemption`, headers: { cookie: eng.cookie, ...form.headers }, payload: form.payload });
    for (const role of ["engineer", "facility_manager"] as const) {
      const u = await login(h.app, h.tokens[role]);
      expect((await postForm(h.app, `/ui/exemptions/${id}/decide`, u.cookie, { _csrf: u.csrf, decision: "approve" })).statusCode, role).toBe(403);
    }
    const a = await login(h.app, h.tokens.client_auditor);
    expect((await postForm(h.app, `/ui/exemptions/${id}/decide`, a.cookie, { _csrf: a.csrf, decision: "reject" })).statusCode).toBe(400);
    expect((await postForm(h.app, `/ui/exemptions/${id}/decide`, a.cookie, { _csrf: a.csrf, decision: "reject", reason: "非不可抗力" })).statusCode).toBe(303);
    expect(h.ctx.faults.liveFault(id)!.exemption!.status).toBe("rejected");
  });
});
