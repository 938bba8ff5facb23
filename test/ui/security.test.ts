/**
 * The UI's security properties across every page: text any person or device wrote is shown, never run;
 * every form post needs the CSRF token; each role opens exactly the pages its rule allows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../collector/store/store.ts";
import { getPage, login, openFault, postForm, sendCondition, uiCollector, visibleText } from "./harness.ts";

const XSS = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;
// A tag the browser would build; escaped text may keep a bare ">" (harmless outside a tag).
const RAW_MARKERS = ["<script>alert", "<img src=x"];

let h: Awaited<ReturnType<typeof uiCollector>>;
let faultId: string;
let deviceFault: string;
const sessions = {} as Record<Role, { cookie: string; csrf: string }>;

beforeAll(async () => {
  h = await uiCollector({ site: true });
  for (const role of ["engineer", "facility_manager", "client_auditor", "admin"] as const) {
    const s = await login(h.app, h.tokens[role]);
    sessions[role] = { cookie: s.cookie, csrf: s.csrf };
  }
  // Written by people: title, notes, comment, reclassify reason, exemption reason and evidence, window reason.
  faultId = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: `title ${XSS}` });
  const eng = sessions.engineer;
  const fm = sessions.facility_manager;
  expect((await postForm(h.app, `/ui/faults/${faultId}/ack`, eng.cookie, { _csrf: eng.csrf, note: `note ${XSS}` })).statusCode).toBe(303);
  expect((await postForm(h.app, `/ui/faults/${faultId}/comment`, eng.cookie, { _csrf: eng.csrf, text: `comment ${XSS}` })).statusCode).toBe(303);
  expect((await postForm(h.app, `/ui/faults/${faultId}/reclassify`, fm.cookie, { _csrf: fm.csrf, class: "general", reason: `reason ${XSS}` })).statusCode).toBe(303);
  const ex = await h.app.inject({
    method: "POST",
    url: `/api/v1/faults/${faultId}/exemption`,
    headers: { authorization: `Bearer ${h.tokens.engineer}` },
    payload: { reason: `exempt ${XSS}`, evidence: `evidence ${XSS}` },
  });
  expect(ex.statusCode, ex.body).toBe(200);
  expect(
    (await postForm(h.app, "/ui/windows", fm.cookie, { _csrf: fm.csrf, devices: "ups-1", start: "2026-11-28T09:00", end: "2026-11-28T10:00", reason: `window ${XSS}` })).statusCode,
  ).toBe(303);
  // Written by a device (through the agent): labels and the event's title.
  await sendCondition(h, { device: "sw-core-1", condition: "if.down", labels: { ifname: `Gi0/1${XSS}` }, observedAt: "2026-11-25T08:50:00+08:00" });
  deviceFault = h.ctx.faults.liveFaults().find((f) => f.device === "sw-core-1")!.id;
});

afterAll(async () => {
  await h?.close();
});

describe("web UI security", () => {
  it("XSS: every user- and device-written field is escaped on every page that shows it", async () => {
    const pages = ["/ui", `/ui/faults/${faultId}`, `/ui/faults/${deviceFault}`, "/ui/windows", "/ui/exemptions", "/ui/report", "/ui/board/cards"];
    const seen = new Set<string>();
    for (const url of pages) {
      const res = await getPage(h.app, url, sessions.admin.cookie);
      expect(res.statusCode, url).toBe(200);
      for (const marker of RAW_MARKERS) expect(res.body, `${url} has raw ${marker}`).not.toContain(marker);
      const text = visibleText(res.body);
      for (const field of ["title", "note", "comment", "reason", "exempt", "evidence", "window", "Gi0/1"])
        if (text.includes(`${field} ${XSS}`) || text.includes(`${field}${XSS}`)) seen.add(field);
    }
    // Each field was shown (as text) somewhere: the escaping was tested, not just absent.
    expect([...seen].sort()).toEqual(["Gi0/1", "comment", "evidence", "exempt", "note", "reason", "title", "window"]);
  });

  it("CSRF: every form post without the session's token is refused and changes nothing", async () => {
    const before = (await h.ctx.store.auditHead())!.seq;
    const posts: Array<[Role, string, Record<string, string>]> = [
      ["engineer", `/ui/faults/${deviceFault}/ack`, {}],
      ["engineer", `/ui/faults/${deviceFault}/resolve`, {}],
      ["engineer", `/ui/faults/${deviceFault}/comment`, { text: "x" }],
      ["facility_manager", `/ui/faults/${deviceFault}/reclassify`, { class: "general", reason: "x" }],
      ["facility_manager", "/ui/windows", { devices: "ups-1", start: "2026-11-28T09:00", end: "2026-11-28T10:00", reason: "x" }],
      ["client_auditor", `/ui/exemptions/${faultId}/decide`, { decision: "approve" }],
      ["admin", "/ui/users", { name: "csrf.victim", role: "admin" }],
      ["admin", "/ui/users/li.gong/disable", {}],
    ];
    for (const [role, url, fields] of posts) {
      const s = sessions[role];
      expect((await postForm(h.app, url, s.cookie, fields)).statusCode, `${url} without token`).toBe(403);
      // Another session's token does not do either.
      const other = role === "admin" ? sessions.engineer : sessions.admin;
      expect((await postForm(h.app, url, s.cookie, { ...fields, _csrf: other.csrf })).statusCode, `${url} with another's token`).toBe(403);
    }
    expect((await h.ctx.store.auditHead())!.seq).toBe(before);
    expect(await h.ctx.store.userByToken(h.tokens.engineer)).toBeDefined();
  });

  it("role × page: each role opens exactly what its rule allows (admin everything)", async () => {
    const pages = {
      "/ui": ["engineer", "facility_manager", "client_auditor", "admin"],
      [`/ui/faults/${faultId}`]: ["engineer", "facility_manager", "client_auditor", "admin"],
      "/ui/windows": ["engineer", "facility_manager", "client_auditor", "admin"],
      "/ui/exemptions": ["facility_manager", "client_auditor", "admin"],
      "/ui/report": ["engineer", "facility_manager", "client_auditor", "admin"],
      "/ui/report.csv": ["engineer", "facility_manager", "client_auditor", "admin"],
      "/ui/users": ["admin"],
    } as Record<string, Role[]>;
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const [url, allowed] of Object.entries(pages))
      for (const role of ["engineer", "facility_manager", "client_auditor", "admin"] as const) {
        got[url] ??= {};
        want[url] ??= {};
        got[url][role] = (await getPage(h.app, url, sessions[role].cookie)).statusCode;
        want[url][role] = allowed.includes(role) ? 200 : 403;
      }
    expect(got).toEqual(want);
    // Actions by role: the auditor may not act on faults; the engineer may not reclassify.
    const a = sessions.client_auditor;
    expect((await postForm(h.app, `/ui/faults/${deviceFault}/ack`, a.cookie, { _csrf: a.csrf })).statusCode).toBe(403);
    const e = sessions.engineer;
    expect((await postForm(h.app, `/ui/faults/${deviceFault}/reclassify`, e.cookie, { _csrf: e.csrf, class: "general", reason: "x" })).statusCode).toBe(403);
  });

  it("no raw keys where people read: the timeline and board speak words in both languages", async () => {
    for (const lang of ["zh", "en"]) {
      const text = visibleText((await getPage(h.app, `/ui/faults/${faultId}?lang=${lang}`, sessions.admin.cookie)).body);
      expect(text, lang).not.toMatch(/\b(openedAt|ackAt|resolvedAt|rule:\d|fault\.[a-z]+|page\.[a-z]+|classSource|facility_manager|client_auditor)\b/);
    }
  });
});
