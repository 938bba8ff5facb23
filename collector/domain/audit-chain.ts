/**
 * Hash chain over audit entries: each entry's hash covers the previous entry's hash and a
 * canonical JSON of its own fields, so an edit, a deletion or a reordering breaks a link.
 */
import { createHash } from "node:crypto";

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

/** JSON with object keys sorted at every depth; undefined members are dropped, as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== "function")
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(",")}}`;
}

/** sha256 hex of the previous hash and the entry's canonical JSON. */
export function auditHash(prevHash: string, entry: AuditEntryFields): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    faultId: entry.faultId,
    windowId: entry.windowId,
    detail: entry.detail,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
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
