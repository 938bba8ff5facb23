import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actUntil,
  DEFAULT_LEASE_SETTINGS,
  guardMs,
  judgeLease,
  type Lease,
  type LeaseHolder,
  leaseSettingsProblems,
  type NodeRole,
  nextLookMs,
  releaseLease,
  roleChange,
} from "./lease.ts";

const A: LeaseHolder = { node: "collector-a", instance: "a1" };
const A2: LeaseHolder = { node: "collector-a", instance: "a2" }; // collector-a restarted
const B: LeaseHolder = { node: "collector-b", instance: "b1" };
const S = DEFAULT_LEASE_SETTINGS; // Zabbix: heartbeat 5 s, failover 60 s
const T = 1_764_000_000_000;

describe("judgeLease: every holder × expiry × asker (exhaustive)", () => {
  const holders: Array<[string, LeaseHolder | undefined]> = [
    ["nobody", undefined],
    ["A", A],
    ["A restarted", A2],
    ["B", B],
  ];
  const expiries: Array<[string, number]> = [
    ["lapsed a minute ago", T - 60_000],
    ["lapsing exactly now", T],
    ["alive 1 ms more", T + 1],
    ["alive 60 s more", T + 60_000],
  ];
  // Expected verdicts written out by hand from the rule "alive while now < expiresAt; only the same
  // node *and* process instance renews; anything not alive is acquired as the next epoch".
  const expected: Record<string, "acquire" | "renew" | "standby"> = {
    "nobody|lapsed a minute ago": "acquire",
    "nobody|lapsing exactly now": "acquire",
    "nobody|alive 1 ms more": "acquire",
    "nobody|alive 60 s more": "acquire",
    "A|lapsed a minute ago": "acquire",
    "A|lapsing exactly now": "acquire",
    "A|alive 1 ms more": "renew",
    "A|alive 60 s more": "renew",
    "A restarted|lapsed a minute ago": "acquire",
    "A restarted|lapsing exactly now": "acquire",
    "A restarted|alive 1 ms more": "standby",
    "A restarted|alive 60 s more": "standby",
    "B|lapsed a minute ago": "acquire",
    "B|lapsing exactly now": "acquire",
    "B|alive 1 ms more": "standby",
    "B|alive 60 s more": "standby",
  };
  for (const [holderName, holder] of holders)
    for (const [expiryName, expiresAt] of expiries) {
      const want = expected[`${holderName}|${expiryName}`]!;
      it(`held by ${holderName}, ${expiryName}, A (instance a1) asks → ${want}`, () => {
        const lease: Lease = { holder, epoch: 7, expiresAt };
        const v = judgeLease(lease, A, T, S);
        expect(v.kind).toBe(want);
        if (v.kind === "acquire") expect(v.lease).toEqual({ holder: A, epoch: 8, expiresAt: T + 60_000 });
        if (v.kind === "renew") expect(v.lease).toEqual({ holder: A, epoch: 7, expiresAt: T + 60_000 });
        if (v.kind === "standby") {
          expect(v.lease).toEqual(lease);
          expect(v.takeoverAt).toBe(expiresAt);
        }
      });
    }

  it("a table that was never written is acquired as epoch 1", () => {
    expect(judgeLease(undefined, B, T, S)).toEqual({
      kind: "acquire",
      lease: { holder: B, epoch: 1, expiresAt: T + 60_000 },
    });
  });
});

describe("roleChange", () => {
  const active7: NodeRole = { role: "active", epoch: 7 };
  it("active, renewed in the same epoch: carry on without reloading", () => {
    expect(roleChange(active7, { holder: A, epoch: 7, expiresAt: T }, A)).toEqual({ kind: "stay-active" });
  });
  it("active, but the lease lapsed and was taken again as epoch 8: reload (someone may have acted)", () => {
    expect(roleChange(active7, { holder: A, epoch: 8, expiresAt: T }, A)).toEqual({ kind: "take-over", epoch: 8 });
  });
  it("active, the lease is B's now: step down", () => {
    expect(roleChange(active7, { holder: B, epoch: 8, expiresAt: T }, A)).toEqual({ kind: "step-down", holder: B });
  });
  it("active, the store granted nothing (unreachable): step down", () => {
    expect(roleChange(active7, undefined, A)).toEqual({ kind: "step-down", holder: undefined });
  });
  it("a restarted process of the same node is not its predecessor", () => {
    expect(roleChange(active7, { holder: A2, epoch: 7, expiresAt: T }, A)).toEqual({ kind: "step-down", holder: A2 });
  });
  it("standby granted the lease: take over", () => {
    expect(roleChange({ role: "standby" }, { holder: A, epoch: 3, expiresAt: T }, A)).toEqual({ kind: "take-over", epoch: 3 });
  });
  it("standby, the lease is B's: stay standby", () => {
    expect(roleChange({ role: "standby" }, { holder: B, epoch: 3, expiresAt: T }, A)).toEqual({ kind: "stay-standby" });
  });
});

describe("timing", () => {
  it("defaults are Zabbix's: heartbeat 5 s, failover 60 s", () => {
    expect(S).toEqual({ heartbeatSeconds: 5, failoverSeconds: 60 });
  });
  it("an active acts at most failover minus one heartbeat after it sent its renewal (60 s, 5 s → 55 s)", () => {
    expect(actUntil(1000, S)).toBe(1000 + 55_000);
  });
  it("with the shortest failover (10 s) and a 5 s heartbeat the guard is a quarter of it (2.5 s)", () => {
    expect(guardMs({ heartbeatSeconds: 5, failoverSeconds: 10 })).toBe(2500);
  });
  it("a standby looks again when the holder's lease lapses, if that is before its next heartbeat", () => {
    const v = judgeLease({ holder: B, epoch: 1, expiresAt: T + 1200 }, A, T, S);
    expect(nextLookMs(v, T, S)).toBe(1200);
    const later = judgeLease({ holder: B, epoch: 1, expiresAt: T + 50_000 }, A, T, S);
    expect(nextLookMs(later, T, S)).toBe(5000);
    expect(nextLookMs(judgeLease(undefined, A, T, S), T, S)).toBe(5000);
  });
  it("release frees the lease at once, only for its holder", () => {
    const lease = { holder: A, epoch: 4, expiresAt: T + 30_000 };
    expect(releaseLease(lease, A, T)).toEqual({ epoch: 4, expiresAt: T });
    expect(releaseLease(lease, B, T)).toBe(lease);
    expect(judgeLease(releaseLease(lease, A, T), B, T, S).kind).toBe("acquire");
  });
  it("settings: failover at least 10 s (Zabbix's floor), heartbeat at most half of it", () => {
    expect(leaseSettingsProblems(S)).toEqual([]);
    expect(leaseSettingsProblems({ heartbeatSeconds: 5, failoverSeconds: 10 })).toEqual([]);
    expect(leaseSettingsProblems({ heartbeatSeconds: 5, failoverSeconds: 9 })).toEqual([
      "failoverSeconds must be at least 10 (got 9)",
    ]);
    expect(leaseSettingsProblems({ heartbeatSeconds: 6, failoverSeconds: 10 })[0]).toMatch(/at most half/);
    expect(leaseSettingsProblems({ heartbeatSeconds: 0, failoverSeconds: 60 })[0]).toMatch(/at least 1/);
  });
});

/**
 * A simulated cluster: nodes send lease requests on their own schedules (jittered heartbeats, pauses
 * such as a long GC or a frozen VM, a crash), each request is judged by the database at some later
 * instant (network and lock delay) and the answer comes back later still. The database applies
 * judgeLease atomically, in the order requests reach it, on its own clock (offset from the nodes').
 */
interface NodePlan {
  /** Gaps between a node's requests (ms): the heartbeat with jitter, and now and then a long pause. */
  gaps: number[];
  /** Delay from sending to the database judging it, and from judging to the answer arriving. */
  toDb: number[];
  fromDb: number[];
  diesAt: number;
}

function simulate(plans: NodePlan[], settings: typeof S, dbOffset: number) {
  type Ev = { at: number; order: number; run: () => void };
  const queue: Ev[] = [];
  let order = 0;
  const push = (at: number, run: () => void) => queue.push({ at, order: order++, run });
  let lease: Lease | undefined;
  const acting: Array<Array<[number, number]>> = plans.map(() => []);
  const holders = plans.map((_, i) => ({ node: `n${i}`, instance: `i${i}` }));
  plans.forEach((plan, i) => {
    const me = holders[i]!;
    let role: NodeRole = { role: "standby" };
    let actingSince: number | undefined;
    let until = 0;
    const stopActing = (at: number) => {
      if (actingSince !== undefined) acting[i]!.push([actingSince, Math.min(at, until, plan.diesAt)]);
      actingSince = undefined;
    };
    let t = 0;
    plan.gaps.forEach((gap, k) => {
      t += gap;
      const sentAt = t;
      if (sentAt >= plan.diesAt) return;
      const judgedAt = sentAt + plan.toDb[k % plan.toDb.length]!;
      push(judgedAt, () => {
        const verdict = judgeLease(lease, me, judgedAt + dbOffset, settings);
        lease = verdict.lease;
        const granted = verdict.lease;
        const answerAt = judgedAt + plan.fromDb[k % plan.fromDb.length]!;
        push(answerAt, () => {
          if (answerAt >= plan.diesAt) return;
          // The node's own deadline passed meanwhile: it stopped acting then.
          if (actingSince !== undefined && until <= answerAt) stopActing(until);
          const change = roleChange(actingSince === undefined ? { role: "standby" } : role, granted, me);
          if (change.kind === "step-down" || change.kind === "stay-standby") {
            stopActing(answerAt);
            role = { role: "standby" };
            return;
          }
          const next = actUntil(sentAt, settings);
          if (next <= answerAt) return; // granted, but too late to act on
          if (change.kind === "take-over") {
            stopActing(answerAt);
            actingSince = answerAt;
            role = { role: "active", epoch: change.epoch };
          }
          until = Math.max(until, next);
        });
      });
    });
    push(Number.MAX_SAFE_INTEGER, () => stopActing(Number.MAX_SAFE_INTEGER));
  });
  queue.sort((a, b) => a.at - b.at || a.order - b.order);
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    queue.shift()!.run();
  }
  return acting.map((spans) => spans.filter(([a, b]) => b > a));
}

const settingsArb = fc
  .record({ heartbeatSeconds: fc.integer({ min: 1, max: 10 }), failoverSeconds: fc.integer({ min: 10, max: 60 }) })
  .filter((s) => leaseSettingsProblems(s).length === 0);

function planArb(s: typeof S) {
  const hb = s.heartbeatSeconds * 1000;
  return fc.record({
    gaps: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: Math.floor(hb * 0.8), max: Math.ceil(hb * 1.2) }) },
        { weight: 1, arbitrary: fc.integer({ min: hb, max: s.failoverSeconds * 3000 }) },
      ),
      { minLength: 5, maxLength: 60 },
    ),
    toDb: fc.array(fc.integer({ min: 0, max: hb }), { minLength: 1, maxLength: 5 }),
    fromDb: fc.array(fc.integer({ min: 0, max: hb * 3 }), { minLength: 1, maxLength: 5 }),
    diesAt: fc.oneof(fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: 600_000 })),
  });
}

describe("property: the lease never lets two nodes act at once", () => {
  it("for random heartbeats, pauses, delays, crashes and database clock offsets", () => {
    fc.assert(
      fc.property(
        settingsArb.chain((s) =>
          fc.record({
            s: fc.constant(s),
            plans: fc.array(planArb(s), { minLength: 2, maxLength: 4 }),
            dbOffset: fc.integer({ min: -3_600_000, max: 3_600_000 }),
          }),
        ),
        ({ s, plans, dbOffset }) => {
          const spans = simulate(plans, s, dbOffset)
            .flatMap((list, node) => list.map(([from, to]) => ({ node, from, to })))
            .sort((a, b) => a.from - b.from);
          for (let k = 1; k < spans.length; k++) {
            const prev = spans.slice(0, k).filter((p) => p.node !== spans[k]!.node);
            for (const p of prev) expect(p.to, JSON.stringify({ p, next: spans[k] })).toBeLessThanOrEqual(spans[k]!.from);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a lone surviving node renewing on time becomes active within failover + one heartbeat + its delays", () => {
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: 0, max: 600_000 }), (s, deadHolderRenewedAt) => {
        const hb = s.heartbeatSeconds * 1000;
        // n0 held the lease and renewed last at `deadHolderRenewedAt`, then died; n1 looks every heartbeat.
        const dead: NodePlan = { gaps: [deadHolderRenewedAt], toDb: [0], fromDb: [0], diesAt: deadHolderRenewedAt + 1 };
        const gaps = Array.from({ length: Math.ceil((deadHolderRenewedAt + s.failoverSeconds * 1000) / hb) + 3 }, () => hb);
        const survivor: NodePlan = { gaps: [deadHolderRenewedAt + 1, ...gaps], toDb: [10], fromDb: [10], diesAt: Number.MAX_SAFE_INTEGER };
        const spans = simulate([dead, survivor], s, 0);
        const start = spans[1]![0]?.[0];
        expect(start).toBeDefined();
        expect(start!).toBeLessThanOrEqual(deadHolderRenewedAt + s.failoverSeconds * 1000 + hb + 20);
      }),
      { numRuns: 200 },
    );
  });
});
