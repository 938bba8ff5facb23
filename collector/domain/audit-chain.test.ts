import { describe, expect, it } from "vitest";
import {
  auditHash,
  type ChainedAuditEntry,
  canonicalJson,
  chainEntries,
  GENESIS_HASH,
  verifyAuditChain,
} from "./audit-chain.ts";

const drafts = [
  { at: 1, actor: "engine", action: "fault.open", faultId: "F1", detail: { device: "ups-1", b: 2, a: 1 } },
  { at: 2, actor: "wang", action: "fault.ack", faultId: "F1", detail: { note: "remote" } },
  { at: 3, actor: "engine", action: "fault.resolve", faultId: "F1", detail: { auto: true } },
  { at: 4, actor: "li", action: "fault.close", faultId: "F1", detail: {} },
];
const chain = (): ChainedAuditEntry[] => chainEntries(undefined, drafts);

describe("hash-chained audit trail", () => {
  it("an untouched chain verifies ok with its count", () => {
    expect(verifyAuditChain(chain())).toEqual({ ok: true, count: 4 });
    expect(chain()[0]!.prevHash).toBe(GENESIS_HASH);
  });
  it("the hash is over canonical JSON: key order does not matter, content does", () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [2, 1] } })).toBe('{"a":{"c":[2,1],"d":1},"b":1}');
    const e = { seq: 1, at: 1, actor: "x", action: "y", detail: { a: 1, b: 2 } };
    expect(auditHash(GENESIS_HASH, e)).toBe(auditHash(GENESIS_HASH, { ...e, detail: { b: 2, a: 1 } }));
    expect(auditHash(GENESIS_HASH, e)).not.toBe(auditHash(GENESIS_HASH, { ...e, detail: { a: 1, b: 3 } }));
  });
  it("the hash is sha256 of the previous hash, a newline and the canonical JSON (a stored chain keeps verifying)", () => {
    // Expected value from coreutils, not from this code: printf '%s\n%s' 000…000 \
    //   '{"action":"y","actor":"x","at":1,"detail":{"a":null,"b":[1,"二"]},"seq":1}' | sha256sum
    const e = { seq: 1, at: 1, actor: "x", action: "y", faultId: undefined, detail: { b: [1, "二"], a: null } };
    expect(auditHash(GENESIS_HASH, e)).toBe("adc4f518b6ecef80a9f0a6528194123a48e9888b5af2d07a65bcbe485bbf807c");
    expect(canonicalJson([1, undefined, () => 1, { z: undefined, y: [] }])).toBe('[1,null,null,{"y":[]}]');
  });
  it("an edited entry is detected at its seq", () => {
    const c = chain();
    c[1] = { ...c[1]!, actor: "someone-else" };
    expect(verifyAuditChain(c)).toMatchObject({ ok: false, seq: 2 });
  });
  it("a deleted entry is detected (seq gap)", () => {
    const c = chain();
    c.splice(1, 1);
    expect(verifyAuditChain(c)).toMatchObject({ ok: false, seq: 3 });
  });
  it("a deleted first entry is detected", () => {
    expect(verifyAuditChain(chain().slice(1))).toMatchObject({ ok: false, seq: 2 });
  });
  it("two swapped entries are detected", () => {
    const c = chain();
    [c[1], c[2]] = [c[2]!, c[1]!];
    expect(verifyAuditChain(c)).toMatchObject({ ok: false, seq: 3 });
  });
  it("swapped entries with renumbered seq are still detected (prevHash mismatch)", () => {
    const c = chain();
    const a = c[1]!;
    const b = c[2]!;
    c[1] = { ...b, seq: 2 };
    c[2] = { ...a, seq: 3 };
    expect(verifyAuditChain(c)).toMatchObject({ ok: false, seq: 2 });
  });
  it("a deleted last entry is detected when the expected head is known", () => {
    const c = chain();
    const head = { seq: c[3]!.seq, hash: c[3]!.hash };
    expect(verifyAuditChain(c.slice(0, 3), head)).toMatchObject({ ok: false });
    expect(verifyAuditChain(c, head)).toEqual({ ok: true, count: 4 });
  });
  it("chaining continues from a previous head", () => {
    const first = chainEntries(undefined, drafts.slice(0, 2));
    const rest = chainEntries({ seq: 2, hash: first[1]!.hash }, drafts.slice(2));
    expect([...first, ...rest]).toEqual(chain());
  });
});
