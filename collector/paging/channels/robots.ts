/**
 * HTTP channels: generic JSON webhook, WeCom / DingTalk / Feishu group robots (their documented
 * message formats and signing) and an SMS gateway with a request template. One HTTP client: fetch.
 */
import { createHmac } from "node:crypto";
import type { ChannelConfig } from "../config.ts";
import type { PageMessage } from "../message.ts";
import { fitPage, ROBOT_LIMITS } from "./robot-limits.ts";
import type { Recipient, SendResult } from "./send.ts";

type HttpChannel = Exclude<ChannelConfig, { type: "email" }>;

const jsonBytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body), "utf8");

/** Fits the page's text until `build(text)` serialises within `bytes` (JSON escapes make the overhead vary). */
function fitBody(msg: PageMessage, bytes: number, build: (text: string) => unknown): unknown {
  let room = bytes - jsonBytes(build(""));
  let body = build(fitPage(msg, room));
  for (let excess = jsonBytes(body) - bytes; excess > 0; excess = jsonBytes(body) - bytes) {
    room -= excess;
    body = build(fitPage(msg, room));
  }
  return body;
}

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
      // Over 2048 bytes WeCom refuses the text (errcode 40058): cut it, keeping the acknowledge link.
      return {
        url: channel.url.reveal(),
        init: json({
          msgtype: "text",
          text: {
            content: fitPage(msg, ROBOT_LIMITS.wecom.textBytes!),
            mentioned_mobile_list: to.mobile ? [to.mobile] : [],
          },
        }),
      };
    case "dingtalk": {
      const url = new URL(channel.url.reveal());
      if (channel.sign) {
        url.searchParams.set("timestamp", String(now));
        url.searchParams.set("sign", dingtalkSign(now, channel.sign.reveal()));
      }
      // DingTalk only highlights an @ when the mobile also appears in the text.
      const mention = to.mobile ? `\n@${to.mobile}` : "";
      const text = fitPage(msg, ROBOT_LIMITS.dingtalk.textBytes! - Buffer.byteLength(mention));
      const content = `${text}${mention}`;
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
      // Feishu limits the whole request body (20 KB), so the text is cut to what the body leaves room for.
      const body = fitBody(msg, ROBOT_LIMITS.feishu.bodyBytes!, (text) => ({
        ...signed,
        msg_type: "text",
        content: { text: `${to.name}: ${text}` },
      }));
      return { url: channel.url.reveal(), init: json(body) };
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

/** How long the robot asks us to wait (Retry-After, or Feishu's x-ogw-ratelimit-reset), in ms. */
function askedWaitMs(headers: Headers): number | undefined {
  const seconds = Number(headers.get("retry-after") ?? headers.get("x-ogw-ratelimit-reset") ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * Reads the robot's own verdict: WeCom/DingTalk {errcode}, Feishu {code}; 0 is accepted. A rate-limit
 * code is retried after the robot's documented wait, whatever the HTTP status (Feishu answers 11232
 * with HTTP 400).
 */
function robotVerdict(channel: HttpChannel, status: number, headers: Headers, text: string): SendResult {
  const httpError = (): SendResult => ({
    ok: false,
    retryable: status >= 500 || status === 429,
    error: `HTTP ${status}: ${text.slice(0, 200)}`,
    ...(status === 429 ? { retryAfterMs: askedWaitMs(headers) } : {}),
  });
  if (channel.type === "webhook") return status < 300 ? { ok: true } : httpError();
  if (channel.type === "sms") {
    if (status >= 300) return httpError();
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
    return status >= 300 ? httpError() : { ok: false, retryable: true, error: `reply is not JSON: ${text.slice(0, 200)}` };
  }
  const code = channel.type === "feishu" ? body.code : body.errcode;
  const limits = ROBOT_LIMITS[channel.type];
  if (code !== undefined && limits.rateLimitCodes.includes(code))
    return {
      ok: false,
      retryable: true,
      retryAfterMs: askedWaitMs(headers) ?? limits.rateLimitedWaitMs,
      error: `${channel.type} rate limited (${code}): ${body.errmsg ?? body.msg ?? ""}`,
    };
  if (status >= 300) return httpError();
  if (code === 0) return { ok: true };
  return { ok: false, retryable: false, error: `${channel.type} error ${code}: ${body.errmsg ?? body.msg ?? ""}` };
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
  return robotVerdict(channel, res.status, res.headers, text);
}
