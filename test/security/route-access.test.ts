import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { registerAuth } from "../../collector/http/auth.ts";
import { StoreDb } from "../../collector/store/store-db.ts";
import { CollectorStore } from "../../collector/store/store.ts";
import { notifications, pagingCollector } from "../paging/harness.ts";

/**
 * Issue 12 #1: the auth hook tested `req.url.startsWith("/api/")` while the router decodes `%61` to
 * `a`, so `GET /%61pi/v1/faults` answered 200 without a token. Access now hangs on the matched route.
 */

/** A concrete path for a route pattern (`:id` → a fault id, `*` → a token-ish tail). */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, "F-0001").replace(/\*$/, "x");

/** Spellings of one path that the router decodes to the same route. */
function encodedVariants(path: string): string[] {
  const segs = path.split("/").slice(1);
  const pct = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  const out = new Set<string>();
  // The spelling: the first letter of the first segment.
  out.add(`/${pct(segs[0]![0]!)}${segs[0]!.slice(1)}/${segs.slice(1).join("/")}`.replace(/\/$/, ""));
  // Each segment with its first character encoded (lower- and upper-case hex).
  segs.forEach((seg, i) => {
    if (!seg) return;
    for (const up of [false, true]) {
      const enc = up ? pct(seg[0]!).toUpperCase() : pct(seg[0]!);
      out.add(`/${segs.map((s, j) => (j === i ? enc + s.slice(1) : s)).join("/")}`);
    }
  });
  // Every character of every segment encoded.
  out.add(`/${segs.map((s) => [...s].map(pct).join("")).join("/")}`);
  return [...out];
}

describe("access hangs on the matched route, never on the raw URL (issue 12 #1)", () => {
  let h: Awaited<ReturnType<typeof pagingCollector>>;
  beforeAll(async () => {
    h = await pagingCollector({
      notifications: notifications({ hook: "http://127.0.0.1:9/hook" }, {}),
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it("every registered route (seen by onRoute) declares an access rule", () => {
    expect(h.routes.length).toBeGreaterThan(20);
    const undeclared = h.routes.filter((r) => !r.allow).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    // The token-free ones are exactly these: probes, the signed ack link and the UI's login/session pages.
    const open = h.routes
      .filter((r) => r.allow && "public" in r.allow && !r.url.startsWith("/ui"))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(open).toEqual([
      "GET /",
      "GET /ack/*",
      "GET /healthz",
      "GET /metrics",
      "HEAD /",
      "HEAD /ack/*",
      "HEAD /healthz",
      "HEAD /metrics",
      "POST /ack/*",
    ]);
    // Every /api route needs a token: none is public.
    expect(h.routes.filter((r) => r.url.startsWith("/api/") && r.allow && "public" in r.allow)).toEqual([]);
  });

  it("GET /%61pi/v1/faults (the issue's request) is refused without a token", async () => {
    const res = await h.app.inject({ method: "GET", url: "/%61pi/v1/faults" });
    expect(res.statusCode).toBe(401);
  });

  it("every token-guarded route, under every encoded spelling, refuses a request without a token", async () => {
    const guarded = h.routes.filter((r) => r.allow && !("public" in r.allow) && r.method !== "HEAD");
    const failures: string[] = [];
    let routed = 0;
    let sent = 0;
    for (const r of guarded)
      for (const url of [concrete(r.url), ...encodedVariants(concrete(r.url))]) {
        sent += 1;
        const res = await h.app.inject({
          method: r.method as "GET" | "POST",
          url,
          // One client address per request: this many token-less requests from one would be a 429 (collector.badTokenLimit).
          remoteAddress: `10.0.${sent >> 8}.${sent & 255}`,
          ...(r.method === "POST" ? { payload: {} } : {}),
        });
        // 404 is fine (the spelling reached no route); anything else but 401 is a bypass.
        if (res.statusCode !== 401 && res.statusCode !== 404) failures.push(`${r.method} ${url} → ${res.statusCode}`);
        if (res.statusCode === 401) routed += 1;
      }
    expect(failures).toEqual([]);
    // The decoded spellings did reach their routes (so the 401s above are the hook's, not a 404).
    expect(routed).toBeGreaterThan(guarded.length * 3);
  });

  it("an encoded path with a reader's token reaches the route and its role check", async () => {
    const ok = await h.app.inject({ method: "GET", url: "/%61pi/v1/faults", headers: { authorization: `Bearer ${h.userToken}` } });
    expect(ok.statusCode).toBe(200);
    const agent = await h.app.inject({ method: "GET", url: "/%61pi/v1/%66aults", headers: { authorization: "Bearer agent-token-for-paging-tests" } });
    expect(agent.statusCode).toBe(403);
  });

  it("a route registered without an access rule is refused at registration", async () => {
    const app = Fastify();
    registerAuth(app, { store: new CollectorStore(StoreDb.sqlite(":memory:")), agents: [] });
    const register = async () => {
      app.get("/api/v1/forgotten", async () => ({ secret: true }));
      await app.ready();
    };
    await expect(register()).rejects.toThrow(/GET \/api\/v1\/forgotten declares no access rule/);
    await app.close();
  });
});
