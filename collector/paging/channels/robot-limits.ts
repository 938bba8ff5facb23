/**
 * What each group robot documents about itself, as data: the answer codes that mean "too fast, try
 * later", how long a text (or a whole request) may be, and how many messages it takes per minute and
 * per second. The sender throttles itself to these rates, retries the rate-limit answers with back-off,
 * and cuts texts to the byte limit.
 */
export interface RobotLimits {
  /** Answer codes that mean the robot is rate limited: retried after `rateLimitedWaitMs`. */
  rateLimitCodes: readonly number[];
  /** How long to wait before retrying a rate-limited send. */
  rateLimitedWaitMs: number;
  /** Largest text content in UTF-8 bytes, when the vendor limits the text itself. */
  textBytes?: number;
  /** Largest request body in bytes, when the vendor limits the whole request. */
  bodyBytes?: number;
  perMinute: number;
  perSecond?: number;
  /** Where the figures come from. */
  source: string;
}

export type RobotType = "wecom" | "dingtalk" | "feishu";

export const ROBOT_LIMITS: Record<RobotType, RobotLimits> = {
  // 企业微信 群机器人配置说明: "每个机器人发送的消息不能超过20条/分钟"; text.content "最长不超过2048个字节,
  // 必须是utf8编码" (over it: errcode 40058); 45009 is "api freq out of limit".
  wecom: {
    rateLimitCodes: [45009],
    rateLimitedWaitMs: 60_000,
    textBytes: 2048,
    perMinute: 20,
    source: "https://developer.work.weixin.qq.com/document/path/91770",
  },
  // 钉钉 自定义机器人: "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟" (errcode 130101,
  // "send too fast, exceed 20 times per minute"). DingTalk documents no text length limit; 20,000 bytes is
  // our own cap so a runaway text is cut rather than refused.
  dingtalk: {
    rateLimitCodes: [130101],
    rateLimitedWaitMs: 10 * 60_000,
    textBytes: 20_000,
    perMinute: 20,
    source: "https://open.dingtalk.com/document/robots/custom-robot-access",
  },
  // 飞书 自定义机器人使用指南: "为单租户单机器人 100 次/分钟，5 次/秒 … 可能出现 … 11232 限流错误"; "请求体的
  // 数据大小不能超过 20 KB". (9499 is "Bad Request", a malformed body: not worth retrying.)
  feishu: {
    rateLimitCodes: [11232],
    rateLimitedWaitMs: 1_000,
    bodyBytes: 20 * 1024,
    perMinute: 100,
    perSecond: 5,
    source: "https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot",
  },
};

import type { PageMessage } from "../message.ts";

const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** The longest prefix of `s` (whole code points) that fits in `bytes` UTF-8 bytes. */
export function cutToBytes(s: string, bytes: number): string {
  if (utf8Bytes(s) <= bytes) return s;
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (used + n > bytes) break;
    used += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

/**
 * Cuts a page text to `bytes` UTF-8 bytes with "…" where it was cut, keeping its last line intact when
 * that line holds the acknowledge link (the one thing the person must be able to tap).
 */
export function fitText(text: string, bytes: number, ackUrl?: string): string {
  if (utf8Bytes(text) <= bytes) return text;
  const lastBreak = text.lastIndexOf("\n");
  const tail = ackUrl && lastBreak >= 0 && text.slice(lastBreak + 1).includes(ackUrl) ? text.slice(lastBreak) : "";
  const head = tail ? text.slice(0, lastBreak) : text;
  const room = bytes - utf8Bytes(tail) - utf8Bytes("…");
  // A link longer than the whole limit cannot be kept: cut everything.
  if (room < 0) return `${cutToBytes(text, bytes - utf8Bytes("…"))}…`;
  return `${cutToBytes(head, room)}…${tail}`;
}

/** What a robot's text says in place of the faults that do not fit. */
export const moreLine = (n: number) => `\n\n…及其他 ${n} 条 / and ${n} more`;

/**
 * A page's text within `bytes` UTF-8 bytes: the title, as many of its faults as fit, "…及其他 N 条 / and
 * N more" for the rest, then the emergency plans and the acknowledge link, which are never cut. Cutting
 * the list (not the end of the text) keeps the link whatever the group's size. A text without a layout
 * (a notice, a page queued by an older collector) is cut at its end, keeping the link's line.
 */
export function fitPage(msg: Pick<PageMessage, "text" | "ackUrl" | "layout">, bytes: number): string {
  const { text, layout } = msg;
  if (utf8Bytes(text) <= bytes) return text;
  if (!layout || layout.faults.length === 0) return fitText(text, bytes, msg.ackUrl);
  const n = layout.faults.length;
  const head = text.slice(0, layout.head);
  const tail = text.slice(layout.faults[n - 1]);
  const block = (i: number) => text.slice(i === 0 ? layout.head : layout.faults[i - 1], layout.faults[i]);
  let used = utf8Bytes(head) + utf8Bytes(tail);
  let listed = 0;
  while (listed < n) {
    const next = utf8Bytes(block(listed));
    if (used + next + utf8Bytes(moreLine(n - listed - 1)) > bytes) break;
    used += next;
    listed += 1;
  }
  if (listed > 0) return `${text.slice(0, layout.faults[listed - 1])}${moreLine(n - listed)}${tail}`;
  // Not even one fault fits whole (a very long title): the first one cut, the count and the link kept.
  const rest = n > 1 ? moreLine(n - 1) : "";
  const room = bytes - used - utf8Bytes(rest) - utf8Bytes("…");
  if (room <= 0) return fitText(text, bytes, msg.ackUrl);
  return `${head}${cutToBytes(block(0), room)}…${rest}${tail}`;
}

/**
 * Sends per robot (channel id) within its documented rates: `reserve` books a send now, or says how long
 * to wait. A sliding window of the last minute's send times.
 */
export class RobotThrottle {
  private sent = new Map<string, number[]>();

  /** 0 when a send may go now (and books it), else the milliseconds until one may. */
  reserve(channelId: string, limits: Pick<RobotLimits, "perMinute" | "perSecond">, now: number): number {
    const times = (this.sent.get(channelId) ?? []).filter((t) => t > now - 60_000);
    this.sent.set(channelId, times);
    let wait = 0;
    if (times.length >= limits.perMinute) wait = times[times.length - limits.perMinute]! + 60_000 - now;
    if (limits.perSecond !== undefined) {
      const lastSecond = times.filter((t) => t > now - 1_000);
      if (lastSecond.length >= limits.perSecond)
        wait = Math.max(wait, lastSecond[lastSecond.length - limits.perSecond]! + 1_000 - now);
    }
    if (wait > 0) return wait;
    times.push(now);
    return 0;
  }
}
