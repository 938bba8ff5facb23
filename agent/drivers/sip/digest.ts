import { createHash, randomBytes } from "node:crypto";

/** HTTP Digest as SIP uses it (RFC 3261 §22, RFC 2617, RFC 8760 for SHA-256). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: string;
  qop?: string[];
}

/** Parses `Digest realm="…", nonce="…", qop="auth,auth-int", …`; undefined for another scheme. */
export function parseChallenge(header: string): DigestChallenge | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const p of m[1]!.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g))
    params.set(p[1]!.toLowerCase(), p[2] ?? p[3] ?? "");
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  if (realm === undefined || nonce === undefined) return undefined;
  const qop = params.get("qop");
  return {
    realm,
    nonce,
    algorithm: params.get("algorithm") ?? "MD5",
    ...(params.has("opaque") ? { opaque: params.get("opaque")! } : {}),
    ...(qop !== undefined ? { qop: qop.split(",").map((q) => q.trim()) } : {}),
  };
}

const HASHES: Record<string, string> = { md5: "md5", "sha-256": "sha256" };

export function supportedAlgorithm(c: DigestChallenge): boolean {
  return c.algorithm.toLowerCase() in HASHES;
}

/**
 * The Authorization value answering a challenge. `cnonce` is passed in by tests (RFC examples); the
 * probe lets it be random.
 */
export function digestAuthorization(
  c: DigestChallenge,
  creds: { username: string; password: string },
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString("hex"),
  nc = "00000001",
): string {
  const algo = HASHES[c.algorithm.toLowerCase()];
  if (!algo) throw new Error(`digest algorithm ${c.algorithm} is not supported (MD5, SHA-256)`);
  const h = (s: string) => createHash(algo).update(s).digest("hex");
  const ha1 = h(`${creds.username}:${c.realm}:${creds.password}`);
  const ha2 = h(`${method}:${uri}`);
  const auth = c.qop?.includes("auth");
  const response = auth ? h(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const parts = [
    `username="${creds.username}"`,
    `realm="${c.realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    `algorithm=${c.algorithm}`,
    ...(auth ? [`cnonce="${cnonce}"`, `nc=${nc}`, "qop=auth"] : []),
    ...(c.opaque !== undefined ? [`opaque="${c.opaque}"`] : []),
  ];
  return `Digest ${parts.join(", ")}`;
}
