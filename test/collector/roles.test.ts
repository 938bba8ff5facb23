import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../collector/store/store.ts";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

type Who = Role | "agent" | "nobody";
const ALL: Who[] = ["engineer", "facility_manager", "client_auditor", "admin", "agent", "nobody"];

interface Endpoint {
  method: "GET" | "POST";
  url: (fault: string) => string;
  body?: unknown;
  allowed: Who[];
}

const READ: Who[] = ["engineer", "facility_manager", "client_auditor", "admin"];
const ENG: Who[] = ["engineer", "facility_manager", "admin"];

/** Every endpoint, and who the contract's roles say may use it. */
const ENDPOINTS: Endpoint[] = [
  { method: "GET", url: () => "/api/v1/faults", allowed: READ },
  { method: "GET", url: (f) => `/api/v1/faults/${f}`, allowed: READ },
  { method: "GET", url: () => "/api/v1/windows", allowed: READ },
  { method: "GET", url: () => "/api/v1/kpi?period=2026Q4", allowed: READ },
  { method: "GET", url: () => "/api/v1/agents", allowed: READ },
  { method: "GET", url: () => "/api/v1/audit", allowed: READ },
  { method: "GET", url: () => "/api/v1/me", allowed: READ },
  { method: "POST", url: () => "/api/v1/faults", body: { device: "seat-12", class: "general", title: "坐席终端黑屏" }, allowed: ENG },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/comments`, body: { text: "on site" }, allowed: ENG },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/ack`, body: { note: "remote support started" }, allowed: ENG },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/exemption`, body: { reason: "typhoon", evidence: "power bureau notice" }, allowed: ENG },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/exemption/reject`, body: { reason: "not force majeure" }, allowed: ["client_auditor", "admin"] },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/exemption/approve`, body: {}, allowed: ["client_auditor", "admin"] },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/reclassify`, body: { class: "severe", reason: "affects 20 seats" }, allowed: ["facility_manager", "admin"] },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/resolve`, body: {}, allowed: ENG },
  { method: "POST", url: (f) => `/api/v1/faults/${f}/close`, body: {}, allowed: ENG },
  {
    method: "POST",
    url: () => "/api/v1/windows",
    body: { devices: ["ups-1"], start: "2026-12-01T02:00:00+08:00", end: "2026-12-01T04:00:00+08:00", reason: "UPS battery replacement" },
    allowed: ["facility_manager", "admin"],
  },
  {
    method: "POST",
    url: () => "/api/v1/events",
    body: { agent: "agent-1", events: [{ id: "agent-1-evt-000001", type: "heartbeat", at: "2026-11-25T01:00:00Z", interval: 15 }] },
    allowed: ["agent"],
  },
];

describe("every endpoint with every role: allowed and refused server-side", () => {
  let h: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    h = await testCollector();
  });
  afterAll(async () => {
    await h.app.close();
  });

  const tokenOf = (who: Who) => (who === "agent" ? AGENT_TOKEN : who === "nobody" ? undefined : h.tokens[who]);

  for (const ep of ENDPOINTS)
    for (const who of ALL) {
      const allowed = ep.allowed.includes(who);
      it(`${ep.method} ${ep.url(":id")} as ${who}: ${allowed ? "allowed" : "refused"}`, async () => {
        // A fresh fault per case, so an action refused for one role is not masked by another's.
        const created = await h.call("POST", "/api/v1/faults", h.tokens.admin, { device: "seat-1", class: "general", title: "t" });
        const faultId = (created.body.fault as { id: string }).id;
        if (ep.url(faultId).includes("/exemption/")) await h.call("POST", `/api/v1/faults/${faultId}/exemption`, h.tokens.engineer, { reason: "r" });
        if (ep.url(faultId).endsWith("/close")) await h.call("POST", `/api/v1/faults/${faultId}/resolve`, h.tokens.engineer, {});
        const res = await h.call(ep.method, ep.url(faultId), tokenOf(who), ep.body);
        if (allowed) {
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
        } else {
          expect(res.status).toBe(who === "nobody" ? 401 : 403);
          expect(res.body.error).toBe(who === "nobody" ? "unauthorized" : "forbidden");
        }
      });
    }

  it("an unknown token is refused with 401", async () => {
    expect((await h.call("GET", "/api/v1/faults", "wf_not-a-real-token")).status).toBe(401);
  });

  it("the actor of an action is the token's user, never a field of the body", async () => {
    const created = await h.call("POST", "/api/v1/faults", h.tokens.engineer, { device: "seat-2", class: "general", title: "t" });
    const id = (created.body.fault as { id: string }).id;
    const bad = await h.call("POST", `/api/v1/faults/${id}/ack`, h.tokens.engineer, { note: "x", by: "client" });
    expect(bad.status).toBe(400);
    await h.call("POST", `/api/v1/faults/${id}/ack`, h.tokens.engineer, { note: "x" });
    const one = await h.call("GET", `/api/v1/faults/${id}`, h.tokens.client_auditor);
    expect((one.body.fault as { acknowledged_by: string }).acknowledged_by).toBe("eng");
  });

  it("/metrics and /healthz need no token (Prometheus scrapes them)", async () => {
    expect((await h.call("GET", "/healthz", undefined)).status).toBe(200);
    expect((await h.call("GET", "/metrics", undefined)).status).toBe(200);
  });

  it("a bad body gets a 400 naming the field", async () => {
    const res = await h.call("POST", "/api/v1/faults", h.tokens.engineer, { device: "x", class: "catastrophic", title: "t" });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.issues)).toContain("class");
  });
});
