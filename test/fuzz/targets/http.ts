import { request } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { AGENT_TOKEN, notifications, pagingCollector } from "../../paging/harness.ts";
import { countUncaught, type FuzzOptions, inputs, newResult, noteExample, type TargetResult } from "../report.ts";

/** Bodies that pass validation somewhere, so mutations of them get past the first check. */
const EXAMPLE_BODIES: unknown[] = [
  { device: "seat-12", class: "general", title: "坐席终端黑屏" },
  { note: "remote support started" },
  { text: "on site" },
  { class: "severe", reason: "affects 20 seats" },
  { reason: "typhoon", evidence: "power bureau notice" },
  { devices: ["ups-1"], start: "2026-12-01T02:00:00+08:00", end: "2026-12-01T04:00:00+08:00", reason: "UPS battery replacement" },
  { agent: "agent-1", events: [{ id: "agent-1-evt-000001", type: "heartbeat", at: "2026-11-25T01:00:00Z", interval: 15 }] },
  {
    agent: "agent-1",
    events: [{ id: "agent-1-evt-000002", type: "condition", device: "ups-1", condition: "ups.on_battery", state: "firing", observedAt: "2026-11-25T01:00:00Z", labels: { line: "1" } }],
  },
  { version: "4", status: "firing", alerts: [{ status: "firing", labels: { alertname: "x", class: "major" }, fingerprint: "ab", startsAt: "2026-11-25T01:00:00Z" }] },
  { token: "wf_x", name: "eng", password: "p" },
];

const nasty = fc.constantFrom(
  "__proto__",
  "constructor",
  "toString",
  "prototype",
  "%00",
  "%E0%A4%A",
  "%",
  "..",
  "%2e%2e",
  "%2F",
  "a".repeat(5000),
  "F-1",
  "W-1",
  "😀",
  "\u0000",
  "-1",
  "1e999",
);
const segment = fc.oneof(nasty, fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.string({ maxLength: 20, unit: "binary" }).map(encodeURIComponent));
const queryValue = fc.oneof(nasty, fc.string({ maxLength: 30 }));
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom("fault", "period", "status", "class", "device", "limit", "lang", "open", "__proto__", "fault[]"), fc.string({ maxLength: 10 })), queryValue), { maxLength: 6 })
    .map((kv) => `?${kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`),
  fc.string({ maxLength: 40 }).map((s) => `?${s.replace(/[#\s]/g, "")}`),
);

/** A JSON value like the examples with parts replaced, added or removed; or any JSON; or not JSON at all. */
const jsonish = fc.jsonValue({ maxDepth: 4 });
const mutatedExample = fc
  .tuple(fc.constantFrom(...EXAMPLE_BODIES), fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 12 }), nasty), fc.oneof(jsonish, fc.constant(undefined))), { maxLength: 4 }))
  .map(([base, edits]) => {
    const out: Record<string, unknown> = JSON.parse(JSON.stringify(base));
    const keys = Object.keys(out);
    for (const [i, [k, v]] of edits.entries()) {
      const key = i % 2 === 0 && keys.length ? keys[k.length % keys.length]! : k;
      if (v === undefined) delete out[key];
      else Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return JSON.stringify(out);
  });
const body = fc.oneof(
  { arbitrary: mutatedExample, weight: 4 },
  { arbitrary: jsonish.map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.constantFrom(...EXAMPLE_BODIES).map((b) => JSON.stringify(b)), weight: 1 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
  { arbitrary: fc.nat({ max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`), weight: 1 },
  { arbitrary: fc.constant(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}`), weight: 1 },
);
const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=xyz",
  "application/json\tx",
  " application/json",
  "application/json; charset=utf-7",
  "garbage",
  undefined,
);
const cookie = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }).map((s) => `wf_session=${encodeURIComponent(s)}`),
  fc.constantFrom("wf_session=%E0%A4%A", "wf_lang=%", "wf_lang=en", "_csrf=x; wf_session=abc", "=", ";;;", "a=b=c"),
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, "")),
);

interface HttpInput {
  route: number;
  method: string | undefined;
  params: string[];
  query: string;
  auth: number;
  garbageToken: string;
  cookie: string | undefined;
  contentType: string | undefined;
  body: string;
  address: number;
}

const httpInput: fc.Arbitrary<HttpInput> = fc.record({
  route: fc.nat(),
  method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"), weight: 1 }),
  params: fc.array(segment, { minLength: 3, maxLength: 3 }),
  query,
  auth: fc.nat({ max: 7 }),
  garbageToken: fc.string({ maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, "")),
  cookie,
  contentType,
  body,
  address: fc.nat({ max: 2 ** 24 - 1 }),
});

/**
 * Random and mutated paths, query strings, cookies, tokens and bodies at every registered route of a
 * real collector (with paging configured, so every route exists). In-process inject() for
 * throughput, every 50th input also over real HTTP. 5xx: an answer ≥ 500. Hang: no answer in 5 s.
 * Crash: an uncaught exception or unhandled rejection in this process while the target runs.
 */
export async function fuzzHttp(opts: FuzzOptions): Promise<TargetResult> {
  const r = newResult("http");
  const h = await pagingCollector({ notifications: notifications({ hook: "http://127.0.0.1:9/hook" }, {}) });
  const now = h.clock.now();
  const tokens = [
    undefined,
    h.userToken,
    await h.store.addUser("fm", "facility_manager", now),
    await h.store.addUser("client", "client_auditor", now),
    await h.store.addUser("root", "admin", now),
    AGENT_TOKEN,
  ];
  const routes = h.routes.filter((rt) => rt.method !== "HEAD");
  const stopCounting = countUncaught(r);
  const port = ((await h.app.listen({ host: "127.0.0.1", port: 0 })) && (h.app.server.address() as AddressInfo).port) || 0;
  const started = Date.now();
  try {
    for (const input of inputs(httpInput, opts.count, opts.seed)) {
      const route = routes[input.route % routes.length]!;
      let p = 0;
      const path = route.url.replace(/:[A-Za-z0-9_]+|\*$/g, () => input.params[p++ % 3]!) + input.query;
      const method = (input.method ?? route.method) as "GET";
      const token = input.auth < tokens.length ? tokens[input.auth] : input.garbageToken;
      const headers: Record<string, string> = {};
      if (token) headers.authorization = input.auth === 7 ? token : `Bearer ${token}`;
      if (input.cookie !== undefined) headers.cookie = input.cookie;
      if (input.contentType !== undefined && method !== "GET") headers["content-type"] = input.contentType;
      const remoteAddress = `10.${input.address >> 16}.${(input.address >> 8) & 255}.${input.address & 255}`;
      const payload = method === "GET" || method === "OPTIONS" ? undefined : input.body;
      r.inputs += 1;
      const res = await Promise.race([
        h.app.inject({ method, url: path, headers, remoteAddress, ...(payload !== undefined ? { payload } : {}) }).then(
          (x) => ({ status: x.statusCode, body: x.body }),
          (err: Error) => ({ status: -1, body: err.message }),
        ),
        new Promise<undefined>((done) => setTimeout(() => done(undefined), 5000).unref()),
      ]);
      const what = `${method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} ${String(payload ?? "").slice(0, 200)}`;
      if (!res) {
        r.hangs += 1;
        noteExample(r, `hang: ${what}`);
      } else if (res.status >= 500 || res.status < 0) {
        r.serverErrors += 1;
        noteExample(r, `${res.status}: ${what} → ${res.body.slice(0, 200)}`);
      }
      if (r.inputs % 50 === 0) {
        const status = await overHttp(port, method, path, headers, payload);
        if (status !== undefined && status >= 500) {
          r.serverErrors += 1;
          noteExample(r, `${status} over HTTP: ${what}`);
        }
      }
      if (r.inputs % 10_000 === 0) opts.log?.(`http: ${r.inputs} requests`);
    }
  } finally {
    r.seconds = (Date.now() - started) / 1000;
    stopCounting();
    await h.close();
  }
  return r;
}

/** The same request over a real socket; undefined when node's client refuses to send the path or headers as given. */
function overHttp(port: number, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<number | undefined> {
  return new Promise((done) => {
    try {
      const req = request({ host: "127.0.0.1", port, method, path, headers, timeout: 5000 }, (res) => {
        res.resume();
        res.on("end", () => done(res.statusCode));
      });
      req.on("error", () => done(undefined));
      req.on("timeout", () => {
        req.destroy();
        done(599);
      });
      req.end(body);
    } catch {
      done(undefined);
    }
  });
}
