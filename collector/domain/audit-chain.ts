/**
 * Hash chain over audit entries: each entry's hash covers the previous entry's hash and a
 * canonical JSON of its own fields, so an edit, a deletion or a reordering breaks a link.
 */
import * as crypto from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntryFields {
  seq: number;
  at: number;
  actor: string;
  action: string;
  faultId?: string;
  windowId?: string;
  detail: unknown;
}

export interface ChainedAuditEntry extends AuditEntryFields {
  prevHash: string;
  hash: string;
}

/**
 * JSON with object keys sorted at every depth; undefined members are dropped, as JSON does. Built by
 * appending to one string (no per-member arrays): the ingest path hashes an entry or two per event.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // A hole stays empty, as Array.prototype.join leaves it.
      if (!(i in value)) continue;
      const v = value[i];
      out += v === undefined ? "null" : canonicalJson(v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = "{";
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === "function") continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** sha256 hex of the previous hash and the entry's canonical JSON. */
export function auditHash(prevHash: string, entry: AuditEntryFields): string {
  // canonicalJson of {seq, at, actor, action, faultId, windowId, detail}, written in its sorted key order.
  const body =
    member("action", entry.action) +
    member("actor", entry.actor) +
    member("at", entry.at) +
    member("detail", entry.detail) +
    member("faultId", entry.faultId) +
    member("seq", entry.seq) +
    member("windowId", entry.windowId);
  return sha256Hex(`${prevHash}\n{${body.slice(1)}}`);
}

/** crypto.hash (Node 20.12+: no Hash object per call) where there is one. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/** `,"name":value`, or nothing where canonicalJson drops the member (undefined, a function). */
function member(name: string, value: unknown): string {
  return value === undefined || typeof value === "function" ? "" : `,"${name}":${canonicalJson(value)}`;
}

/** Appends drafts to a chain, numbering them after `prev`. */
export function chainEntries(
  prev: { seq: number; hash: string } | undefined,
  drafts: Array<Omit<AuditEntryFields, "seq">>,
): ChainedAuditEntry[] {
  let seq = prev?.seq ?? 0;
  let prevHash = prev?.hash ?? GENESIS_HASH;
  return drafts.map((d) => {
    seq += 1;
    const fields = { ...d, seq };
    const hash = auditHash(prevHash, fields);
    const entry = { ...fields, prevHash, hash };
    prevHash = hash;
    return entry;
  });
}

export type ChainVerdict = { ok: true; count: number } | { ok: false; seq: number; reason: string };

/**
 * Checks entries in stored order: seq starts at 1 and has no gaps, each prevHash is the previous
 * entry's hash, each hash matches the content. Reports the first broken link.
 * A deletion at the very end is only caught when the expected head is given (kept elsewhere).
 */
export function verifyAuditChain(
  entries: ChainedAuditEntry[],
  expectedHead?: { seq: number; hash: string },
): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      return {
        ok: false,
        seq: e.seq,
        reason: `expected entry #${expectedSeq} here, found #${e.seq} (deleted or reordered)`,
      };
    }
    if (e.prevHash !== prevHash) {
      return {
        ok: false,
        seq: e.seq,
        reason: "prevHash does not match the previous entry's hash (deleted or reordered)",
      };
    }
    if (auditHash(e.prevHash, e) !== e.hash) {
      return { ok: false, seq: e.seq, reason: "hash does not match the entry's content (edited)" };
    }
    prevHash = e.hash;
    expectedSeq += 1;
  }
  if (expectedHead && (expectedHead.seq !== expectedSeq - 1 || expectedHead.hash !== prevHash)) {
    return {
      ok: false,
      seq: expectedSeq,
      reason: `chain ends at #${expectedSeq - 1}, expected head #${expectedHead.seq}`,
    };
  }
  return { ok: true, count: entries.length };
}
