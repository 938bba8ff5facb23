import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_TOKEN, testCollector } from "../collector/harness.ts";
import { node, ROOT, tempDir } from "../harness/process.ts";
import { login } from "../ui/harness.ts";

/**
 * Issue 12 #9: inputs that gave 500 or hung. API ones through inject(); config ones through the real
 * `watchfloor check-config` process (a hang is a timeout there, not a stuck test runner).
 */
describe("the API answers bad input with 4xx, never 500 (issue 12 #9)", () => {
  let h: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    h = await testCollector();
  });
  afterAll(async () => {
    await h.app.close();
  });

  it("array query parameters are a 400 naming the parameter", async () => {
    for (const url of [
      "/api/v1/audit?fault=a&fault=b",
      "/api/v1/kpi?period=2026Q1&period=2026Q2",
      "/api/v1/faults?status=open&status=closed",
      // Found by the fuzz suite (npm run fuzz, http target).
      "/api/v1/hazards?status=open&status=closed",
      "/api/v1/inspections/summary?period=2026Q1&period=2026Q2",
    ]) {
      const res = await h.call("GET", url, h.tokens.admin);
      expect(res.status, url).toBe(400);
      expect(String(res.body.message)).toMatch(/^(fault|period|status): /);
    }
    expect((await h.call("GET", "/api/v1/audit?fault=F-1", h.tokens.admin)).status).toBe(200);
  });

  it("fault ids that are Object.prototype's names are unknown faults (404), not 500", async () => {
    for (const id of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      const get = await h.call("GET", `/api/v1/faults/${id}`, h.tokens.admin);
      expect(get.status, id).toBe(404);
      expect(get.body.error).toBe("FAULT_NOT_FOUND");
      for (const [action, body] of [
        ["ack", {}],
        ["resolve", {}],
        ["comments", { text: "x" }],
        ["exemption", { reason: "r" }],
      ] as const) {
        const res = await h.call("POST", `/api/v1/faults/${id}/${action}`, h.tokens.admin, body);
        expect(res.status, `${id}/${action}`).toBe(404);
      }
    }
  });

  it("a multipart body that does not parse is a 400 on the UI's form routes (found by the fuzz suite)", async () => {
    // Logged in: without a session the body is never read (review L1).
    const { cookie } = await login(h.app, h.tokens.admin);
    for (const url of ["/ui/hazards", "/ui/inspections/photos"]) {
      const res = await h.app.inject({
        method: "POST",
        url,
        headers: { cookie, "content-type": "multipart/form-data; boundary=xyz" },
        payload: "not multipart at all",
      });
      expect(res.statusCode, url).toBe(400);
    }
  });

  it("a UI asset named like an Object.prototype member is a 404 (found by the fuzz suite)", async () => {
    for (const name of ["toString", "constructor", "__proto__"]) {
      const res = await h.app.inject({ method: "GET", url: `/ui/assets/${name}` });
      expect(res.statusCode, name).toBe(404);
    }
  });

  it("a device named like an Object.prototype member opens a fault like any other", async () => {
    for (const device of ["constructor", "__proto__", "toString"]) {
      const res = await h.call("POST", "/api/v1/faults", h.tokens.engineer, { device, class: "general", title: "t" });
      expect(res.status, device).toBe(201);
    }
    const res = await h.call("POST", "/api/v1/events", AGENT_TOKEN, {
      agent: "agent-1",
      events: [
        {
          id: "constructor",
          type: "condition",
          device: "hasOwnProperty",
          condition: "device.unreachable",
          state: "firing",
          observedAt: "2026-11-25T00:59:00Z",
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    const faults = (await h.call("GET", "/api/v1/faults?device=hasOwnProperty", h.tokens.admin)).body.faults as unknown[];
    expect(faults).toHaveLength(1);
  });

  it("a cookie that is not valid percent-encoding is a 400 naming it, on the UI and the API", async () => {
    for (const [url, cookie] of [
      ["/ui", "wf_session=%E0%A4%A"],
      ["/ui/login", "wf_lang=%zz"],
      ["/api/v1/me", "other=ok; wf_session=%"],
    ] as const) {
      const res = await h.app.inject({ method: "GET", url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message).toMatch(/cookie "(wf_session|wf_lang)" is not valid percent-encoding/);
    }
    // Well-formed ones pass.
    expect((await h.app.inject({ method: "GET", url: "/ui/login", headers: { cookie: "wf_lang=en%20" } })).statusCode).toBe(200);
  });
});

async function checkConfig(file: string, timeoutMs = 10_000) {
  const p = node("watchfloor.mjs", ["check-config", file]);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((r) => p.child.once("exit", r));
  clearTimeout(timer);
  return { code, output: p.output, killed: p.child.signalCode === "SIGKILL" };
}

const SITE = (extra: string) => `site: { name: bad floor }
agent:
  id: a1
  profilesDir: ${join(ROOT, "config/profiles")}
  collector: { url: "http://127.0.0.1:8480", token: "t" }
${extra}`;

describe("check-config refuses hostile files with a clear error (issue 12 #9)", () => {
  const dir = tempDir("wf-bad-config-");

  it("a billion-laughs YAML is a config error naming the file, not an uncaught ReferenceError", async () => {
    const file = join(dir, "laughs.yaml");
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i += 1) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    writeFileSync(file, `${SITE("")}${levels.join("\n")}\n`);
    const r = await checkConfig(file);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`${file}: (document): YAML aliases expand too far`);
    expect(r.output).not.toMatch(/ReferenceError|at .*node_modules/);
  });

  it("${file:/dev/zero} is refused at once (not a regular file) instead of hanging", async () => {
    const file = join(dir, "zero.yaml");
    writeFileSync(file, SITE("").replace('token: "t"', 'token: "${file:/dev/zero}"'));
    const t0 = Date.now();
    const r = await checkConfig(file);
    expect(r.killed).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/agent\.collector\.token: secret file \/dev\/zero is not a regular file/);
  });

  it("a FIFO, a directory and an oversized file are refused as secrets, each with its reason", async () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const big = join(dir, "big");
    writeFileSync(big, "x".repeat(65 * 1024));
    for (const [path, reason] of [
      [fifo, "is not a regular file"],
      [dir, "is not a regular file"],
      [big, `is ${65 * 1024} bytes; expected at most 65536`],
    ] as const) {
      const file = join(dir, "secret.yaml");
      writeFileSync(file, SITE("").replace('token: "t"', `token: "\${file:${path}}"`));
      const r = await checkConfig(file);
      expect(r.killed, path).toBe(false);
      expect(r.output).toContain(`agent.collector.token: secret file ${path} ${reason}`);
    }
  });

  it("duplicate zone ids are a config error naming the YAML path", async () => {
    const file = join(dir, "zones.yaml");
    writeFileSync(file, SITE("zones:\n  - { id: server-room, name: 机房 }\n  - { id: floor, name: 大厅 }\n  - { id: server-room, name: 机房二 }\n"));
    const r = await checkConfig(file);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(new RegExp(`${file}:\\d+:\\d+: zones\\[2\\]\\.id: duplicate zone id server-room \\(also zones\\[0\\]\\)`));
  });
});
