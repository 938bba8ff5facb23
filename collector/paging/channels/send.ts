import nodemailer from "nodemailer";
import type { ChannelConfig } from "../config.ts";
import type { PageMessage } from "../message.ts";
import { sendHttp } from "./robots.ts";

export interface Recipient {
  id: string;
  name: string;
  mobile?: string;
  email?: string;
}

/**
 * retryable false: this channel will not take it (bad address, rejected signature): fall back at once.
 * retryAfterMs: the channel asked for at least this wait (a robot's rate limit) before the next attempt.
 */
export type SendResult = { ok: true } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

async function sendMail(
  channel: Extract<ChannelConfig, { type: "email" }>,
  msg: PageMessage,
  to: Recipient,
): Promise<SendResult> {
  if (!to.email) return { ok: false, retryable: false, error: `${to.id} has no email` };
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.secure,
    connectionTimeout: channel.timeout * 1000,
    greetingTimeout: channel.timeout * 1000,
    socketTimeout: channel.timeout * 1000,
    ...(channel.user ? { auth: { user: channel.user, pass: channel.password?.reveal() ?? "" } } : {}),
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: `${to.name} <${to.email}>`,
      subject: msg.title,
      text: msg.text,
    });
    return { ok: true };
  } catch (err) {
    const e = err as { responseCode?: number; message: string };
    // 5xx from the server is a permanent refusal; anything else (connection, 4xx) may pass later.
    return { ok: false, retryable: !(e.responseCode && e.responseCode >= 500), error: e.message };
  } finally {
    transport.close();
  }
}

/** Sends one page to one person on one channel. */
export function sendOn(
  channel: ChannelConfig,
  msg: PageMessage,
  to: Recipient,
  now: number,
): Promise<SendResult> {
  if (channel.type === "email") return sendMail(channel, msg, to);
  if (channel.type === "sms" && !to.mobile)
    return Promise.resolve({ ok: false, retryable: false, error: `${to.id} has no mobile` });
  return sendHttp(channel, msg, to, now);
}
