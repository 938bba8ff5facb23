/** SIP messages as the OPTIONS probe needs them (RFC 3261): build a request, parse a response. Pure. */

export interface OptionsRequest {
  requestUri: string;
  transport: "UDP" | "TCP" | "TLS";
  local: { host: string; port: number };
  fromUser: string;
  branch: string;
  tag: string;
  callId: string;
  cseq: number;
  /** Authorization or Proxy-Authorization, after a challenge. */
  auth?: { header: string; value: string };
}

function hostForUri(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export function buildOptions(r: OptionsRequest): string {
  const local = `${hostForUri(r.local.host)}:${r.local.port}`;
  const lines = [
    `OPTIONS ${r.requestUri} SIP/2.0`,
    `Via: SIP/2.0/${r.transport} ${local};branch=${r.branch};rport`,
    "Max-Forwards: 70",
    `From: <sip:${r.fromUser}@${hostForUri(r.local.host)}>;tag=${r.tag}`,
    `To: <${r.requestUri}>`,
    `Call-ID: ${r.callId}`,
    `CSeq: ${r.cseq} OPTIONS`,
    `Contact: <sip:${r.fromUser}@${local};transport=${r.transport.toLowerCase()}>`,
    "Accept: application/sdp",
    "User-Agent: Watchfloor",
    ...(r.auth ? [`${r.auth.header}: ${r.auth.value}`] : []),
    "Content-Length: 0",
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

export interface SipResponse {
  status: number;
  reason: string;
  /** Header values by lower-case long name (compact forms expanded), in order. */
  headers: Map<string, string[]>;
  /** Bytes the message took (headers and body), for stream framing. */
  length: number;
}

const COMPACT: Record<string, string> = {
  v: "via",
  i: "call-id",
  f: "from",
  t: "to",
  l: "content-length",
  m: "contact",
  c: "content-type",
  k: "supported",
};

/**
 * Parses the first complete response in `buf` (a datagram, or the head of a stream). Returns
 * "incomplete" when a stream has not delivered the whole message yet, undefined for something that is
 * not a SIP response (a request, garbage).
 */
export function parseResponse(buf: Buffer): SipResponse | "incomplete" | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return buf.length > 65_535 ? undefined : "incomplete";
  const head = buf.subarray(0, end).toString("latin1");
  const [statusLine, ...rest] = head.split("\r\n");
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(statusLine ?? "");
  if (!m) return undefined;
  const headers = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of rest) {
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last)!;
      values[values.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
    last = name;
  }
  const contentLength = Number(headers.get("content-length")?.[0] ?? 0);
  const length = end + 4 + (Number.isFinite(contentLength) ? contentLength : 0);
  if (buf.length < length) return "incomplete";
  return { status: Number(m[1]), reason: m[2] ?? "", headers, length };
}

/** Whether a response answers our request: the same Via branch and CSeq. */
export function answers(res: SipResponse, branch: string, cseq: number): boolean {
  const via = res.headers.get("via")?.[0] ?? "";
  const cs = res.headers.get("cseq")?.[0] ?? "";
  return via.includes(`branch=${branch}`) && new RegExp(`^${cseq}\\s+OPTIONS$`, "i").test(cs);
}
