import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_TOKEN, notifications, pagingCollector } from "../paging/harness.ts";

/**
 * Issue 12 #10: no rate limit on bad tokens or logins; /ack pages, the API and /metrics sent no
 * security headers. Expected values are the limits README documents (collector.badTokenLimit default
 * 30 per minute; the UI's login 10 per minute) and the headers' standard spellings.
 */
describe("hardening (issue 12 #10)", () => {
  let h: Awaited<ReturnType<typeof pagingCollector>>;
  beforeAll(async () => {
    h = await pagingCollector({ notifications: notifications({ hook: "http://127.0.0.1:9/hook" }, {}) });
  });
  afterAll(async () => {
    await h.close();
  });

  const get = (url: string, remoteAddress: string, token?: string) =>
    h.app.inject({ method: "GET", url, remoteAddress, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("bad tokens: 30 per address per minute are 401s, then every token-guarded request from there is a 429 with Retry-After", async () => {
    const attacker = "192.0.2.10";
    for (let i = 0; i < 30; i += 1) {
      const res = await get("/api/v1/faults", attacker, i % 2 ? `wf_guess${i}` : undefined);
      expect(res.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const over = await get("/api/v1/faults", attacker, "wf_guess31");
    expect(over.statusCode).toBe(429);
    const retryAfter = Number(over.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.json()).toMatchObject({ error: "too_many_requests" });
    // Blocked refuses failures only: another guess is a 429 (not counted as a new window's 401).
    expect((await get("/api/v1/faults", attacker, "wf_guess32")).statusCode).toBe(429);
    // Other addresses, and open routes from the same address, are not affected.
    expect((await get("/api/v1/faults", "192.0.2.11", h.userToken)).statusCode).toBe(200);
    expect((await get("/healthz", attacker)).statusCode).toBe(200);
  });

  it("a valid token is never refused by the lockout: the agent sharing a guesser's address keeps reporting (review L4)", async () => {
    const shared = "192.0.2.40";
    for (let i = 0; i < 31; i += 1) await get("/api/v1/faults", shared, `wf_guess${i}`);
    expect((await get("/api/v1/faults", shared, "wf_guess_again")).statusCode).toBe(429);
    const beat = await h.app.inject({
      method: "POST",
      url: "/api/v1/events",
      remoteAddress: shared,
      headers: { authorization: `Bearer ${AGENT_TOKEN}` },
      payload: { agent: "agent-1", events: [{ id: "agent-1-hb-l4-xxxx", type: "heartbeat", at: new Date(h.clock.now()).toISOString(), interval: 15 }] },
    });
    expect(beat.statusCode, beat.body).toBeLessThan(300);
    expect((await get("/api/v1/faults", shared, h.userToken)).statusCode).toBe(200);
    // Still locked out for failures, missing tokens included, until the window ends.
    expect((await get("/api/v1/faults", shared)).statusCode).toBe(429);
  });

  it("valid tokens are never counted", async () => {
    for (let i = 0; i < 60; i += 1) expect((await get("/api/v1/me", "192.0.2.20", h.userToken)).statusCode).toBe(200);
    expect((await get("/api/v1/me", "192.0.2.20")).statusCode).toBe(401);
  });

  it("logins: the 11th attempt within a minute from one address is a 429 with Retry-After", async () => {
    const login = () =>
      h.app.inject({
        method: "POST",
        url: "/ui/login",
        remoteAddress: "192.0.2.30",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "token=wf_wrong",
      });
    for (let i = 0; i < 10; i += 1) expect((await login()).statusCode, `login ${i + 1}`).toBe(401);
    const over = await login();
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("security headers on the API, /metrics, /healthz, the acknowledge page and the UI", async () => {
    const pages = [
      await get("/api/v1/me", "192.0.2.40", h.userToken),
      await get("/api/v1/me", "192.0.2.40"),
      await get("/metrics", "192.0.2.40"),
      await get("/healthz", "192.0.2.40"),
      await get("/ack/not-a-valid-token", "192.0.2.40"),
      await get("/ui/login", "192.0.2.40"),
    ];
    for (const res of pages) {
      const where = `${res.raw.req.url} (${res.statusCode})`;
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, where).toContain("default-src 'none'");
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(csp, where).toContain("script-src 'self'");
      expect(csp, where).not.toContain("upgrade-insecure-requests");
      expect(res.headers["x-content-type-options"], where).toBe("nosniff");
      expect(res.headers["x-frame-options"], where).toBe("DENY");
      expect(res.headers["strict-transport-security"], where).toMatch(/^max-age=\d+/);
      expect(res.headers["referrer-policy"], where).toMatch(/^(same-origin|no-referrer)$/);
    }
    // The acknowledge link's token is in its URL: that page sends no referrer at all.
    expect(pages[4]!.statusCode).toBe(403);
    expect(pages[4]!.headers["referrer-policy"]).toBe("no-referrer");
  });
});
