import { randomBytes } from "node:crypto";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { type ProbeFields, probeDriver } from "../probe.ts";
import { digestAuthorization, parseChallenge, supportedAlgorithm } from "./digest.ts";
import { answers, buildOptions, type SipResponse } from "./message.ts";
import { SIP_FIELDS, type SipField, type SipOptions, sipOptionsSchema } from "./options.ts";
import { openStream, openUdp, type SipChannel } from "./transport.ts";

const DEFAULT_PORT = { udp: 5060, tcp: 5060, tls: 5061 } as const;

export function sipTarget(address: string, transport: SipOptions["transport"]): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(address);
  if (!m || (m[1]!.includes(":") && !address.startsWith("[") && m[2] !== undefined))
    throw new Error(`address ${JSON.stringify(address)}: expected host or host:port`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : DEFAULT_PORT[transport] };
}

const token = () => randomBytes(6).toString("hex");

/**
 * One OPTIONS transaction per poll, answering one digest challenge when credentials are set. `answered`
 * tells silence (0: timeout, refused, reset) from any final response (1, with its status), so a trunk
 * that is gone is told apart from one that answers 503.
 */
export async function probeSip(device: DeviceConfig, o: SipOptions, signal: AbortSignal): Promise<ProbeFields<SipField>> {
  const { host, port } = sipTarget(device.address, o.transport);
  const deadline = Date.now() + o.timeoutMs;
  const started = performance.now();
  const silent = (): ProbeFields<SipField> => ({ success: 0, answered: 0, duration: (performance.now() - started) / 1000 });
  let channel: SipChannel | undefined;
  try {
    channel =
      o.transport === "udp"
        ? await openUdp(host, port)
        : await openStream(host, port, o.transport === "tls" ? o.tls : undefined, deadline);
  } catch {
    return silent();
  }
  if (!channel) return silent();
  const abort = () => channel?.close();
  signal.addEventListener("abort", abort, { once: true });
  try {
    const uri = o.uri ?? `sip:${host.includes(":") ? `[${host}]` : host}:${port}`;
    const base = {
      requestUri: uri,
      transport: o.transport.toUpperCase() as "UDP" | "TCP" | "TLS",
      local: channel.local,
      fromUser: o.fromUser,
      tag: token(),
      callId: `${token()}${token()}@watchfloor`,
    };
    let cseq = 1;
    let branch = `z9hG4bK${token()}`;
    let sentAt = performance.now();
    let res: SipResponse | undefined = await channel.request(
      buildOptions({ ...base, branch, cseq }),
      (r) => answers(r, branch, cseq),
      deadline,
      o.retransmitMs,
    );
    const challenged = res && (res.status === 401 || res.status === 407);
    if (res && challenged && o.username !== undefined && o.password !== undefined) {
      const proxy = res.status === 407;
      const challenge = (res.headers.get(proxy ? "proxy-authenticate" : "www-authenticate") ?? [])
        .map(parseChallenge)
        .find((c) => c !== undefined && supportedAlgorithm(c));
      if (challenge) {
        cseq += 1;
        branch = `z9hG4bK${token()}`;
        const auth = {
          header: proxy ? "Proxy-Authorization" : "Authorization",
          value: digestAuthorization(challenge, { username: o.username, password: o.password.reveal() }, "OPTIONS", uri),
        };
        sentAt = performance.now();
        res = await channel.request(buildOptions({ ...base, branch, cseq, auth }), (r) => answers(r, branch, cseq), deadline, o.retransmitMs);
      }
    }
    if (!res) return silent();
    const ok = o.expectStatus ? o.expectStatus.includes(res.status) : res.status >= 200 && res.status < 300;
    // The round trip of the request that got the final answer (after a challenge, the second one).
    return { success: ok ? 1 : 0, answered: 1, status: res.status, duration: (performance.now() - sentAt) / 1000 };
  } finally {
    signal.removeEventListener("abort", abort);
    channel.close();
  }
}

export const sipDriver = probeDriver("sip", sipOptionsSchema, SIP_FIELDS, (device, options) => ({
  probe: (signal) => probeSip(device, options, signal),
}));
