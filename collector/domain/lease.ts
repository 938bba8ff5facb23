/**
 * The active/standby lease of two (or more) collectors on one database, as pure functions. The
 * database holds one lease row; every node runs `judgeLease` on what it read, and the store applies
 * the same rule atomically (one conditional UPDATE, judged by the database's clock), so two nodes can
 * never both be granted it. Anchor: Zabbix 6+ native HA — nodes heartbeat every 5 s, a standby takes
 * over once the active has not renewed for the failover delay (1 min by default, 10 s at the least).
 *
 * Times are milliseconds. `now` and `expiresAt` are on the database's clock (the store reads both in
 * the statement that judges the lease), so the nodes' own clocks never decide who is active. A node's
 * own clock only bounds how long it keeps acting after its last renewal (`actUntil`), which errs early.
 */

export interface LeaseSettings {
  /** How often a node renews (the active) or looks (a standby). */
  heartbeatSeconds: number;
  /** How long a lease lasts without renewal: after this, a standby takes over. */
  failoverSeconds: number;
}

export const DEFAULT_LEASE_SETTINGS: LeaseSettings = { heartbeatSeconds: 5, failoverSeconds: 60 };
/** Zabbix's floor, and ours: a shorter failover delay would page people twice over a slow disk. */
export const MIN_FAILOVER_SECONDS = 10;

/** Who holds the lease: the node's configured id and its process instance (new at every start). */
export interface LeaseHolder {
  node: string;
  instance: string;
}

export interface Lease {
  /** Absent: never taken, or released by a node that stopped. */
  holder?: LeaseHolder;
  /** Grows by one at every acquisition: the fencing token of the active's tenure. */
  epoch: number;
  expiresAt: number;
}

export type LeaseVerdict =
  /** Free or lapsed: take it, as the next epoch. */
  | { kind: "acquire"; lease: Lease }
  /** Ours and alive: extend it. */
  | { kind: "renew"; lease: Lease }
  /** Another node's and alive: wait; it lapses at `takeoverAt` unless renewed. */
  | { kind: "standby"; lease: Lease; holder: LeaseHolder; takeoverAt: number };

export function sameHolder(a: LeaseHolder | undefined, b: LeaseHolder | undefined): boolean {
  return a !== undefined && b !== undefined && a.node === b.node && a.instance === b.instance;
}

/**
 * What `me` may do with the lease as read at `now`, and the lease after it. A lease is alive while
 * now < expiresAt; at expiresAt exactly it has lapsed. A lapsed lease is taken as a new epoch even
 * by its last holder: that node stopped acting when it lapsed, so it must load the state afresh.
 */
export function judgeLease(lease: Lease | undefined, me: LeaseHolder, now: number, settings: LeaseSettings): LeaseVerdict {
  const until = now + settings.failoverSeconds * 1000;
  const current = lease ?? { epoch: 0, expiresAt: 0 };
  const alive = current.holder !== undefined && now < current.expiresAt;
  if (!alive) return { kind: "acquire", lease: { holder: me, epoch: current.epoch + 1, expiresAt: until } };
  if (sameHolder(current.holder, me)) return { kind: "renew", lease: { holder: me, epoch: current.epoch, expiresAt: until } };
  return { kind: "standby", lease: current, holder: current.holder!, takeoverAt: current.expiresAt };
}

/** The lease after its holder stops politely: free at once, so a standby need not wait it out. */
export function releaseLease(lease: Lease, me: LeaseHolder, now: number): Lease {
  if (!sameHolder(lease.holder, me)) return lease;
  return { epoch: lease.epoch, expiresAt: Math.min(lease.expiresAt, now) };
}

export type NodeRole = { role: "active"; epoch: number } | { role: "standby" };

export type RoleChange =
  /** Still active in the same tenure: carry on. */
  | { kind: "stay-active" }
  /** Became active (or active again after a lapse): load everything from the store, then act. */
  | { kind: "take-over"; epoch: number }
  /** Was active, no longer is: stop acting at once. */
  | { kind: "step-down"; holder?: LeaseHolder }
  | { kind: "stay-standby" };

/**
 * How a node's role follows from the lease the store granted (or refused). Only a renewal of the same
 * epoch keeps an active node going without reloading: a new epoch means another node may have acted.
 */
export function roleChange(before: NodeRole, granted: Lease | undefined, me: LeaseHolder): RoleChange {
  const mine = granted !== undefined && sameHolder(granted.holder, me);
  if (before.role === "active") {
    if (mine && granted.epoch === before.epoch) return { kind: "stay-active" };
    if (mine) return { kind: "take-over", epoch: granted.epoch };
    return { kind: "step-down", holder: granted?.holder };
  }
  return mine ? { kind: "take-over", epoch: granted.epoch } : { kind: "stay-standby" };
}

/**
 * Until when (on the node's own monotonic clock) an active node may act after a renewal it sent at
 * `sentAt`: the database set the lease to expire failover seconds after it judged the request, which
 * is after `sentAt`, so this ends before the lease does; the guard absorbs clock-rate drift and a
 * transaction still in flight. Past it without a newer renewal, the node stops acting.
 */
export function actUntil(sentAt: number, settings: LeaseSettings): number {
  return sentAt + settings.failoverSeconds * 1000 - guardMs(settings);
}

export function guardMs(settings: LeaseSettings): number {
  return Math.min(settings.heartbeatSeconds * 1000, (settings.failoverSeconds * 1000) / 4);
}

/**
 * When a node looks at the lease next, `wait` ms after it read it: the active renews every heartbeat;
 * a standby looks every heartbeat, but also right when the holder's lease lapses (so a takeover comes
 * at the lapse, not up to a heartbeat after it).
 */
export function nextLookMs(verdict: LeaseVerdict, now: number, settings: LeaseSettings): number {
  const heartbeat = settings.heartbeatSeconds * 1000;
  if (verdict.kind !== "standby") return heartbeat;
  return Math.max(0, Math.min(heartbeat, verdict.takeoverAt - now));
}

/** Problems with a pair of settings, in words; empty when they are usable. */
export function leaseSettingsProblems(settings: LeaseSettings): string[] {
  const problems: string[] = [];
  if (!(settings.heartbeatSeconds >= 1)) problems.push(`heartbeatSeconds must be at least 1 (got ${settings.heartbeatSeconds})`);
  if (!(settings.failoverSeconds >= MIN_FAILOVER_SECONDS))
    problems.push(`failoverSeconds must be at least ${MIN_FAILOVER_SECONDS} (got ${settings.failoverSeconds})`);
  else if (settings.heartbeatSeconds * 2 > settings.failoverSeconds)
    problems.push(
      `heartbeatSeconds (${settings.heartbeatSeconds}) must be at most half of failoverSeconds (${settings.failoverSeconds}), so a late renewal is retried before the lease lapses`,
    );
  return problems;
}
