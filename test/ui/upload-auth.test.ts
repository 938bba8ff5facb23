/**
 * Review L1: an unauthenticated evidence upload was buffered whole (5 MB × 5 files) before the session
 * check, so a flood without a cookie raised the collector's memory by hundreds of MB. The session, role
 * and Origin are now checked before the body is read. Measured over a real TCP connection: the client
 * sends the headers and the first 64 KiB of a 5 MB upload and then nothing; the answer must come while
 * the rest is still unsent (a server reading the body first never answers). A logged-in post with the
 * right Origin is the control: that one waits for its body.
 */
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, openFault, uiCollector } from "./harness.ts";

let h: Awaited<ReturnType<typeof uiCollector>>;
let port: number;
let faultId: string;
let engineer: { cookie: string; csrf: string };

beforeAll(async () => {
  h = await uiCollector();
  faultId = await openFault(h.app, h.tokens.engineer, { device: "ups-1", class: "severe", title: "UPS 告警" });
  const s = await login(h.app, h.tokens.engineer);
  engineer = { cookie: s.cookie, csrf: s.csrf };
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await h.close();
});

const BOUNDARY = "----watchfloorL1";
const DECLARED = 5 * 1024 * 1024;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Starts a multipart upload declaring DECLARED bytes, sends 64 KiB of it and waits up to `waitMs` for an
 * answer; the socket is then destroyed. Answers the status line, or undefined when none came.
 */
function partialUpload(headers: Record<string, string>, waitMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let got = "";
    const done = (v: string | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n")) done(got.slice(0, got.indexOf("\r\n")));
    });
    sock.on("error", () => done(got ? got.slice(0, got.indexOf("\r\n")) : undefined));
    const head = [
      `POST /ui/faults/${encodeURIComponent(faultId)}/exemption HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      `content-type: multipart/form-data; boundary=${BOUNDARY}`,
      `content-length: ${DECLARED}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    const partHead = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="files"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n`;
    sock.write(head);
    sock.write(Buffer.concat([Buffer.from(partHead), PNG, Buffer.alloc(64 * 1024 - PNG.length, 7)]));
  });
}

describe("evidence uploads are authenticated before their body is read (review L1)", () => {
  it("no session: 303 to the login while 5 MB of the upload is still unsent", async () => {
    expect(await partialUpload({}, 3000)).toMatch(/^HTTP\/1\.1 303/);
  });

  it("an unknown session cookie: answered before the body too", async () => {
    expect(await partialUpload({ cookie: `wf_session=${"A".repeat(43)}` }, 3000)).toMatch(/^HTTP\/1\.1 303/);
  });

  it("a live session posting from another site's Origin: 403 before the body", async () => {
    expect(await partialUpload({ cookie: engineer.cookie, origin: "https://evil.example" }, 3000)).toMatch(/^HTTP\/1\.1 403/);
  });

  it("control: a live session from its own origin waits for the body it announced", async () => {
    expect(await partialUpload({ cookie: engineer.cookie, origin: `http://127.0.0.1:${port}` }, 1000)).toBeUndefined();
  });

  it("unauthenticated posts count against the address like bad API tokens: the 31st in a minute is a 429; a live session still works", async () => {
    const from = "192.0.2.77";
    const post = (cookie?: string) =>
      h.app.inject({
        method: "POST",
        url: `/ui/faults/${encodeURIComponent(faultId)}/comment`,
        remoteAddress: from,
        headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
        payload: "text=x",
      });
    for (let i = 0; i < 30; i += 1) expect((await post()).statusCode, `post ${i + 1}`).toBe(303);
    const over = await post();
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
    expect((await post(`wf_session=${"B".repeat(43)}`)).statusCode).toBe(429);
    const page = await h.app.inject({ method: "GET", url: "/ui", remoteAddress: from, headers: { cookie: engineer.cookie } });
    expect(page.statusCode).toBe(200);
    // A browser without a cookie opening a page is how everyone reaches the login: not counted, not refused.
    expect((await h.app.inject({ method: "GET", url: "/ui", remoteAddress: "192.0.2.78" })).statusCode).toBe(302);
  });
});
