/**
 * HTTP channels: generic JSON webhook, WeCom / DingTalk / Feishu group robots (their documented
 * message formats and signing) and an SMS gateway with a request template. One HTTP client: fetch.
 */
import { createHmac } from "node:crypto";
import type { ChannelConfig } from "../config.ts";
import type { PageMessage } from "../message.ts";
import type { Recipient, SendResult } from "./send.ts";

type HttpChannel = Exclude<ChannelConfig, { type: "email" }>;

/** Robot error codes that mean "too fast, try later" (DingTalk 130101, WeCom 45009, Feishu 9499). */
const RATE_LIMITED = new Set([130101, 45009, 9499]);

/** DingTalk 加签: base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)), timestamp in ms. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

/** Feishu 签名校验: base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), timestamp in s. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}

/** Fills {{name}} placeholders, escaping each value for the body's content type. */
export function fillTemplate(template: string, values: Record<string, string>, contentType: string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) return whole;
    return contentType === "application/json" ? JSON.stringify(v).slice(1, -1) : encodeURIComponent(v);
  });
}

function request(
  channel: HttpChannel,
  msg: PageMessage,
  to: Recipient,
  now: number,
): { url: string; init: RequestInit } {
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  switch (channel.type) {
    case "webhook": {
      const headers = Object.fromEntries(Object.entries(channel.headers).map(([k, v]) => [k, v.reveal()]));
      const body = {
        kind: msg.kind,
        title: msg.title,
        text: msg.text,
        ackUrl: msg.ackUrl,
        person: { id: to.id, name: to.name },
        faults: msg.faults,
      };
      return { url: channel.url.reveal(), init: json(body, headers) };
    }
    case "wecom":
      return {
        url: channel.url.reveal(),
        init: json({
          msgtype: "text",
          text: { content: msg.text, mentioned_mobile_list: to.mobile ? [to.mobile] : [] },
        }),
      };
    case "dingtalk": {
      const url = new URL(channel.url.reveal());
      if (channel.sign) {
        url.searchParams.set("timestamp", String(now));
        url.searchParams.set("sign", dingtalkSign(now, channel.sign.reveal()));
      }
      // DingTalk only highlights an @ when the mobile also appears in the text.
      const content = to.mobile ? `${msg.text}\n@${to.mobile}` : msg.text;
      return {
        url: url.toString(),
        init: json({
          msgtype: "text",
          text: { content },
          at: { atMobiles: to.mobile ? [to.mobile] : [], isAtAll: false },
        }),
      };
    }
    case "feishu": {
      const ts = Math.floor(now / 1000);
      const signed = channel.sign
        ? { timestamp: String(ts), sign: feishuSign(ts, channel.sign.reveal()) }
        : {};
      return {
        url: channel.url.reveal(),
        init: json({ ...signed, msg_type: "text", content: { text: `${to.name}: ${msg.text}` } }),
      };
    }
    case "sms": {
      const headers = Object.fromEntries(Object.entries(channel.headers).map(([k, v]) => [k, v.reveal()]));
      const body = fillTemplate(
        channel.body,
        { mobile: to.mobile ?? "", text: msg.text, title: msg.title, name: to.name },
        channel.contentType,
      );
      return {
        url: channel.url.reveal(),
        init: { method: channel.method, headers: { "content-type": channel.contentType, ...headers }, body },
      };
    }
  }
}

/** Reads the robot's own verdict: WeCom/DingTalk {errcode}, Feishu {code}; 0 is accepted. */
function robotVerdict(channel: HttpChannel, text: string): SendResult {
  if (channel.type === "webhook") return { ok: true };
  if (channel.type === "sms") {
    if (channel.accept && !new RegExp(channel.accept).test(text))
      return {
        ok: false,
        retryable: true,
        error: `gateway reply does not match ${channel.accept}: ${text.slice(0, 200)}`,
      };
    return { ok: true };
  }
  let body: { errcode?: number; code?: number; errmsg?: string; msg?: string };
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, retryable: true, error: `reply is not JSON: ${text.slice(0, 200)}` };
  }
  const code = channel.type === "feishu" ? body.code : body.errcode;
  if (code === 0) return { ok: true };
  return {
    ok: false,
    retryable: code !== undefined && RATE_LIMITED.has(code),
    error: `${channel.type} error ${code}: ${body.errmsg ?? body.msg ?? ""}`,
  };
}

export async function sendHttp(
  channel: HttpChannel,
  msg: PageMessage,
  to: Recipient,
  now: number,
): Promise<SendResult> {
  const { url, init } = request(channel, msg, to, now);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(channel.timeout * 1000) });
  } catch (err) {
    // The URL may carry the robot's key: name the host only.
    return {
      ok: false,
      retryable: true,
      error: `${new URL(url).host}: ${(err as Error).cause ?? (err as Error).message}`,
    };
  }
  const text = await res.text().catch(() => "");
  if (!res.ok)
    return {
      ok: false,
      retryable: res.status >= 500 || res.status === 429,
      error: `HTTP ${res.status}: ${text.slice(0, 200)}`,
    };
  return robotVerdict(channel, text);
}
