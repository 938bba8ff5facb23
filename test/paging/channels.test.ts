/**
 * Each channel against a peer: WeCom, DingTalk and Feishu robots and the SMS gateway have no local
 * counterpart, so local HTTP receivers stand in for them and check the exact documented body and
 * signature; e-mail goes to a real SMTP server (smtp-server) with authentication.
 */
import { createHmac } from "node:crypto";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policySchema } from "../../collector/domain/index.ts";
import { pagingCollector, START } from "./harness.ts";
import { Receiver } from "./receiver.ts";

const sla = policySchema.parse({
  classification: { rules: [{ match: { condition: "ups.*" }, class: "major" }] },
});
const inventory = {
  devices: {
    "ups-1": { id: "ups-1", class: "ups", zone: "机房", criticality: "high" as const, dependsOn: [] },
  },
};

describe("channels: documented message formats and signing", () => {
  const r = {
    wecom: new Receiver('{"errcode":0,"errmsg":"ok"}'),
    dingtalk: new Receiver('{"errcode":0,"errmsg":"ok"}'),
    feishu: new Receiver('{"code":0,"msg":"success","data":{}}'),
    sms: new Receiver('{"code":0,"msg":"queued"}'),
    hook: new Receiver(""),
  };
  const mails: Array<{ from: string; to: string[]; data: string; user?: string }> = [];
  const smtp = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === "watchfloor" && auth.password === "smtp-pass") cb(null, { user: auth.username });
      else cb(new Error("bad credentials"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((a) => a.address),
          data: Buffer.concat(chunks).toString("utf8"),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  let h: Awaited<ReturnType<typeof pagingCollector>>;

  beforeAll(async () => {
    const u = Object.fromEntries(
      await Promise.all(Object.entries(r).map(async ([k, v]) => [k, await v.start()])),
    );
    await new Promise<void>((res) => smtp.listen(0, "127.0.0.1", res));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    const person = (id: string, channel: string) => ({
      id,
      name: `P-${id}`,
      mobile: "13800000001",
      email: `${id}@example.gov.cn`,
      channels: [channel],
    });
    h = await pagingCollector({
      policy: sla,
      inventory,
      notifications: {
        ack: { secret: "k" },
        channels: [
          { id: "wecom", type: "wecom", url: `${u.wecom}/cgi-bin/webhook/send?key=wecom-key` },
          {
            id: "dingtalk",
            type: "dingtalk",
            url: `${u.dingtalk}/robot/send?access_token=ding-token`,
            sign: "SECding",
          },
          {
            id: "feishu",
            type: "feishu",
            url: `${u.feishu}/open-apis/bot/v2/hook/feishu-hook`,
            sign: "feishu-secret",
          },
          {
            id: "sms",
            type: "sms",
            url: `${u.sms}/api/send`,
            headers: { authorization: "Bearer sms-token" },
            body: '{"to":"{{mobile}}","content":"{{text}}"}',
            accept: '"code":\\s*0',
          },
          {
            id: "hook",
            type: "webhook",
            url: `${u.hook}/hooks/watchfloor`,
            headers: { "x-token": "hook-token" },
          },
          {
            id: "mail",
            type: "email",
            host: "127.0.0.1",
            port: smtpPort,
            user: "watchfloor",
            password: "smtp-pass",
            from: "Watchfloor <watchfloor@example.gov.cn>",
          },
        ],
        people: [
          person("pw", "wecom"),
          person("pd", "dingtalk"),
          person("pf", "feishu"),
          person("ps", "sms"),
          person("ph", "hook"),
          person("pm", "mail"),
        ],
        roster: { roles: ["oncall"], months: [] },
        policies: { major: { steps: [{ after: 0, notify: ["pw", "pd", "pf", "ps", "ph", "pm"] }] } },
      },
    });
    await h.condition("ups-1", "ups.on_battery", "firing", START, { title: "UPS 市电中断" });
    await h.paging.settle();
  });

  afterAll(async () => {
    await h.close();
    for (const v of Object.values(r)) await v.close();
    await new Promise<void>((res) => smtp.close(() => res()));
  });

  it("every delivery is reported sent", async () => {
    const { pages } = await h.get("/api/v1/pages");
    expect(
      pages.map((p: { status: string; sent_channel: string }) => `${p.sent_channel}:${p.status}`).sort(),
    ).toEqual(["dingtalk:sent", "feishu:sent", "hook:sent", "mail:sent", "sms:sent", "wecom:sent"]);
  });

  it("WeCom group robot: POST to the key URL, msgtype text with mentioned_mobile_list", () => {
    const [req] = r.wecom.requests;
    expect(req!.url).toBe("/cgi-bin/webhook/send?key=wecom-key");
    expect(req!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(req!.body);
    expect(Object.keys(body)).toEqual(["msgtype", "text"]);
    expect(body.msgtype).toBe("text");
    expect(body.text.mentioned_mobile_list).toEqual(["13800000001"]);
    expect(body.text.content).toMatch(/^\[重大\] 新故障 · UPS 市电中断 \(ups-1\)\n/);
    expect(body.text.content).toContain("设备: ups-1 · 区域: 机房");
  });

  it("DingTalk custom robot: timestamp (ms) and sign = base64(HmacSHA256(secret, timestamp\\nsecret)) in the query; text with at.atMobiles", () => {
    const [req] = r.dingtalk.requests;
    const url = new URL(req!.url, "http://x");
    expect(url.pathname).toBe("/robot/send");
    expect(url.searchParams.get("access_token")).toBe("ding-token");
    const ts = url.searchParams.get("timestamp")!;
    expect(Number(ts)).toBe(START);
    const expected = createHmac("sha256", "SECding").update(`${ts}\nSECding`).digest("base64");
    expect(url.searchParams.get("sign")).toBe(expected);
    // URL-encoded on the wire, as the documentation's urlEncode(base64) requires.
    expect(req!.url).toContain(`sign=${encodeURIComponent(expected)}`);
    const body = JSON.parse(req!.body);
    expect(body).toEqual({
      msgtype: "text",
      text: { content: expect.stringMatching(/\n@13800000001$/) },
      at: { atMobiles: ["13800000001"], isAtAll: false },
    });
  });

  it("Feishu custom bot: timestamp (s) and sign = base64(HmacSHA256(key = timestamp\\nsecret, empty)) in the body; msg_type text", () => {
    const [req] = r.feishu.requests;
    expect(req!.url).toBe("/open-apis/bot/v2/hook/feishu-hook");
    const body = JSON.parse(req!.body);
    expect(Object.keys(body)).toEqual(["timestamp", "sign", "msg_type", "content"]);
    expect(body.timestamp).toBe(String(START / 1000));
    expect(body.sign).toBe(
      createHmac("sha256", `${body.timestamp}\nfeishu-secret`).update("").digest("base64"),
    );
    expect(body.msg_type).toBe("text");
    expect(body.content.text).toMatch(/^P-pf: \[重大\] 新故障/);
  });

  it("SMS gateway: the configured template, filled and JSON-escaped, with the configured header", () => {
    const [req] = r.sms.requests;
    expect(req!.method).toBe("POST");
    expect(req!.headers.authorization).toBe("Bearer sms-token");
    const body = JSON.parse(req!.body);
    expect(Object.keys(body)).toEqual(["to", "content"]);
    expect(body.to).toBe("13800000001");
    expect(body.content).toContain("响应时限: 剩余30分");
  });

  it("generic webhook: JSON with kind, title, text, ack link, person and faults", () => {
    const [req] = r.hook.requests;
    expect(req!.headers["x-token"]).toBe("hook-token");
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      kind: "page",
      title: "[重大] 新故障 · UPS 市电中断 (ups-1)",
      person: { id: "ph", name: "P-ph" },
    });
    expect(body.faults).toEqual([
      expect.objectContaining({
        class: "major",
        device: "ups-1",
        condition: "ups.on_battery",
        openedAt: START,
      }),
    ]);
    expect(body.ackUrl).toMatch(/\/ack\//);
  });

  it("e-mail: delivered to the SMTP server after authenticating, subject = page title (UTF-8)", () => {
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.user).toBe("watchfloor");
    expect(mail!.from).toBe("watchfloor@example.gov.cn");
    expect(mail!.to).toEqual(["pm@example.gov.cn"]);
    const [head, ...rest] = mail!.data.split(/\r?\n\r?\n/);
    const subject = /^Subject: ((?:.*)(?:\r?\n .*)*)/m.exec(head!)![1]!;
    const decoded = [...subject.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)]
      .map((m) => Buffer.from(m[1]!, "base64"))
      .reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0));
    expect(decoded.toString("utf8")).toBe("[重大] 新故障 · UPS 市电中断 (ups-1)");
    expect(head).toMatch(/^Content-Transfer-Encoding: quoted-printable$/m);
    const qp = rest.join("\n\n").replace(/=\r?\n/g, "");
    const body = Buffer.from(
      qp.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      "latin1",
    ).toString("utf8");
    expect(body).toContain("处理时限: 剩余24小时 (2026-11-26 09:00:00 前)");
  });
});
