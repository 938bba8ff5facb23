/**
 * TLS end to end, the two ways deploy/README.md describes: the collector serving HTTPS from
 * collector.tls (a self-signed certificate made here with openssl), and the collector behind a real
 * nginx that terminates TLS, told to trust it (collector.trustProxy). Either way a browser's session
 * cookie must come back Secure; a proxy the collector does not trust cannot make it so.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareSite } from "../harness/bare-site.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { freePort } from "../harness/ports.ts";
import { node, type Proc, tempDir } from "../harness/process.ts";
import { NGINX, startNginx } from "../peers/nginx.ts";

const env = { WATCHFLOOR_AGENT_TOKEN: "tls-test-agent-token" };
const running: Proc[] = [];
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
});

/** A self-signed certificate for 127.0.0.1 and localhost, valid one day. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=watchfloor test",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { cert, key };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request that trusts only `ca` (as a client configured with the site's certificate would). */
function https(
  url: string,
  ca: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, ca }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

async function startCollector(
  site: string,
  scheme: "http" | "https",
): Promise<{ url: string; token: string }> {
  const collector = node("watchfloor-collector.mjs", ["--config", site, "--listen", "127.0.0.1:0"], { env });
  running.push(collector);
  const url = (
    await collector.waitFor(new RegExp(`listening on (${scheme}://127\\.0\\.0\\.1:\\d+)`), 60_000)
  )[1]!;
  const add = node("watchfloor.mjs", ["user", "add", "tls-admin", "--role", "admin", "--config", site], {
    env,
  });
  const token = (await add.waitFor(/^(wf_\S+)$/m, 60_000))[1]!;
  await add.stop();
  return { url, token };
}

const loginForm = (token: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ token }).toString(),
});

const sessionCookie = (a: Answer) =>
  ([a.headers["set-cookie"] ?? []].flat() as string[]).find((c) => !c.startsWith("wf_lang"));

describe("the collector serves HTTPS from collector.tls", () => {
  const dir = tempDir("wf-tls-");
  const { cert, key } = selfSigned(dir);
  const site = bareSite(dir, { collectorExtra: `  tls: { cert: ${cert}, key: ${key} }\n` });
  let url = "";
  let token = "";
  const ca = readFileSync(cert, "utf8");

  beforeAll(async () => {
    ({ url, token } = await startCollector(site, "https"));
  }, 150_000);

  it("answers the API over TLS with the configured certificate (verified against it)", async () => {
    const me = await https(`${url}/api/v1/me`, ca, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({
      principal: { kind: "user", name: "tls-admin", role: "admin" },
    });
  });

  it("a client that does not know the certificate refuses it (it is real TLS, self-signed)", async () => {
    await expect(
      new Promise((resolve, reject) => request(`${url}/healthz`, resolve).on("error", reject).end()),
    ).rejects.toThrow(/self-signed certificate/);
  });

  it("the web UI's session cookie is Secure, HttpOnly, SameSite=Strict", async () => {
    const login = await https(`${url}/ui/login`, ca, loginForm(token));
    expect(login.status).toBe(303);
    const cookie = sessionCookie(login)!;
    expect(cookie.split("; ")).toEqual(expect.arrayContaining(["Secure", "HttpOnly", "SameSite=Strict"]));
  });

  it("check-config names a key that does not belong to the certificate", () => {
    const other = selfSigned(tempDir("wf-tls-other-"));
    const bad = bareSite(tempDir("wf-tls-bad-"), {
      collectorExtra: `  tls: { cert: ${cert}, key: ${other.key} }\n`,
    });
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, "../../bin/watchfloor.mjs"), "check-config", bad],
      {
        env: { ...process.env, ...env },
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `collector.tls.key: ${other.key} is not the private key of the certificate in ${cert}`,
    );
  });
});

describe.skipIf(
  skipWithout(
    existsSync(NGINX) ? undefined : `${NGINX} is absent (apt-get install nginx)`,
    "collector behind nginx",
  ),
)("the collector behind nginx terminating TLS (collector.trustProxy)", () => {
  const dir = tempDir("wf-proxy-");
  const { cert, key } = selfSigned(dir);
  const ca = readFileSync(cert, "utf8");
  let proxied = "";
  let direct = "";
  let token = "";

  beforeAll(async () => {
    const site = bareSite(dir, { collectorExtra: "  trustProxy: [127.0.0.1]\n" });
    ({ url: direct, token } = await startCollector(site, "http"));
    const port = await freePort();
    // The server block deploy/README.md gives, on a free port.
    const nginx = startNginx(
      dir,
      `  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / {
      proxy_pass ${direct};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`,
    );
    running.push(nginx);
    proxied = `https://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (
        await https(`${proxied}/healthz`, ca).then(
          (a) => a.status === 200,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nginx did not come up:\n${nginx.output}`);
  }, 150_000);

  it("through the proxy (https) the session cookie is Secure", async () => {
    const login = await https(`${proxied}/ui/login`, ca, loginForm(token));
    expect(login.status).toBe(303);
    expect(sessionCookie(login)!.split("; ")).toContain("Secure");
  });

  it("straight to the collector over plain http it is not (the browser would drop a Secure cookie there)", async () => {
    const login = await fetch(`${direct}/ui/login`, { ...loginForm(token), redirect: "manual" });
    expect(login.status).toBe(303);
    expect(login.headers.get("set-cookie")!.split("; ")).not.toContain("Secure");
  });
});

describe("a proxy header from a peer the collector was not told to trust", () => {
  it("does not make the cookie Secure (trustProxy defaults to false)", async () => {
    const site = bareSite(tempDir("wf-untrusted-"));
    const { url, token } = await startCollector(site, "http");
    const form = loginForm(token);
    const login = await fetch(`${url}/ui/login`, {
      ...form,
      headers: { ...form.headers, "x-forwarded-proto": "https" },
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("set-cookie")!.split("; ")).not.toContain("Secure");
  });
});
