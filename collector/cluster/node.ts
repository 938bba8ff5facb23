/**
 * One collector's part in an active/standby cluster: looks at the lease every heartbeat (the rule is
 * collector/domain/lease.ts, applied atomically by the store on the database's clock), takes over when
 * it is granted, steps down when it is not, and stops acting on its own when it could not renew in time.
 * What "acting" means (timers, paging, inspections, accepting events) belongs to the hooks.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import {
  actUntil,
  type Lease,
  type LeaseHolder,
  type LeaseSettings,
  type NodeRole,
  roleChange,
  sameHolder,
} from "../domain/lease.ts";
import type { Tables } from "../store/schema.ts";
import type { StoreDb } from "../store/store-db.ts";
import type { ClusterStatus } from "./view.ts";

export interface ClusterNodeRow {
  node: string;
  instance: string;
  address: string;
  role: "active" | "standby" | "stopped";
  /** The database's clock at this node's last heartbeat (ms). */
  lastHeartbeat: number;
  /** When the lease this node holds lapses unless renewed; absent for a standby. */
  leaseExpiresAt?: number;
  epoch?: number;
}

/** This node may no longer write: another took over, or its lease could not be renewed in time. */
export class NotTheActiveError extends Error {
  /** The HTTP answer of a request that hit it (fastify uses it): the agent sends the batch elsewhere. */
  readonly statusCode = 503;
  constructor(node: string, why: string) {
    super(`this collector (${node}) is no longer the active node (${why}); nothing was written`);
  }
}

/** The lease and the nodes table in the store (collector/cluster/lease-store.ts). */
export interface LeaseStore {
  /** Whether `me` holds a live lease, read on the connection `q` of a transaction (see SqlLeaseStore). */
  holds(q: Kysely<Tables>, me: LeaseHolder): Promise<boolean>;
  /** judgeLease applied atomically on the database's clock: the lease after it, and that clock's now. */
  judge(me: LeaseHolder, settings: LeaseSettings): Promise<{ lease: Lease; now: number }>;
  /** Frees the lease now if `me` holds it (a polite stop: the standby need not wait it out). */
  release(me: LeaseHolder): Promise<void>;
  /** Writes this node's row (stamped with the database's clock). */
  beat(row: Omit<ClusterNodeRow, "lastHeartbeat">): Promise<void>;
  /** The lease, every node's row and the database's clock, read together. */
  status(): Promise<ClusterStatus>;
}

export interface ClusterHooks {
  /** Loads everything from the store and starts acting (the node is active once this resolves). */
  takeOver(epoch: number): Promise<void>;
  /** Stops acting at once (timers, sends); may wait for work in flight. */
  stepDown(reason: string): Promise<void>;
}

export interface ClusterNodeOptions {
  nodeId: string;
  /** How others reach this node (collector.ha.address, else the address it listens on once it does). */
  address: () => string;
  settings: LeaseSettings;
  store: LeaseStore;
  logger: Logger;
  registry?: Registry;
  /** A monotonic clock in ms (default performance.now); bounds how long the active acts unrenewed. */
  monotonic?: () => number;
}

/** What a standby tells a caller: who is active and when it may take over itself. */
export interface StandbyInfo {
  active?: { node: string; address?: string };
  /** Seconds until this node looks at the lease again and may take over (for Retry-After). */
  retryAfterSeconds: number;
  reason: "standby" | "taking-over" | "lease-lost";
}

export class ClusterNode extends EventEmitter<{ change: [NodeRole] }> {
  readonly me: LeaseHolder;
  private role: NodeRole = { role: "standby" };
  /** Taking over (loading from the store): not acting yet. */
  private starting = false;
  private until = 0;
  private lookTimer: NodeJS.Timeout | undefined;
  private lapseTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Hooks run one after another, in the order the role changed. */
  private hooksTail: Promise<void> = Promise.resolve();
  private holder: LeaseHolder | undefined;
  private takeoverAt: number | undefined;
  private lastLookAt = 0;
  private activeAddress: string | undefined;
  private readonly mono: () => number;
  private readonly metrics: { active: Gauge; takeovers: Counter; leaseErrors: Counter } | undefined;

  constructor(
    private opts: ClusterNodeOptions,
    private hooks: ClusterHooks,
  ) {
    super();
    this.me = { node: opts.nodeId, instance: randomBytes(6).toString("hex") };
    this.mono = opts.monotonic ?? (() => performance.now());
    if (opts.registry)
      this.metrics = {
        active: new Gauge({
          name: "watchfloor_cluster_active",
          help: "1 while this collector is the active node of its cluster (collector.ha) and acting, 0 while it is a standby.",
          registers: [opts.registry],
          collect: () => this.metrics?.active.set(this.isActive() ? 1 : 0),
        }),
        takeovers: new Counter({
          name: "watchfloor_cluster_takeovers_total",
          help: "Times this collector became the active node (took the lease and loaded the state).",
          registers: [opts.registry],
        }),
        leaseErrors: new Counter({
          name: "watchfloor_cluster_lease_errors_total",
          help: "Looks at the lease that failed (the database did not answer); an active that cannot renew in time stops acting.",
          registers: [opts.registry],
        }),
      };
  }

  /** True while this node is the active one and may act: taken over, and its lease renewed in time. */
  isActive(): boolean {
    return this.role.role === "active" && !this.starting && this.mono() < this.until;
  }

  /**
   * The check every transaction of this collector starts with (StoreDb.setFence): only the active node,
   * within its own deadline and holding the lease in the database, writes.
   */
  async fence(tx: StoreDb): Promise<void> {
    if (this.role.role !== "active" || this.mono() >= this.until)
      throw new NotTheActiveError(this.me.node, this.role.role === "active" ? "its lease was not renewed in time" : "it is a standby");
    if (!(await this.opts.store.holds(tx.q, this.me))) throw new NotTheActiveError(this.me.node, "the lease is no longer its own");
  }

  /** For a standby's 503: who is active, and when to ask again. */
  standbyInfo(): StandbyInfo {
    const heartbeat = this.opts.settings.heartbeatSeconds;
    const waitMs = this.takeoverAt !== undefined ? this.takeoverAt - this.lastLookAt : heartbeat * 1000;
    return {
      active: this.holder && !sameHolder(this.holder, this.me) ? { node: this.holder.node, address: this.activeAddress } : undefined,
      retryAfterSeconds: Math.max(1, Math.min(Math.ceil(waitMs / 1000), heartbeat)),
      reason: this.role.role === "active" ? (this.starting ? "taking-over" : "lease-lost") : "standby",
    };
  }

  /** This node in /healthz: its id, what it does now, and the active node when it is not that. */
  health(): { node: string; role: "active" | "standby" | "taking-over"; active?: { node: string; address?: string } } {
    if (this.isActive()) return { node: this.me.node, role: "active" };
    const info = this.standbyInfo();
    return {
      node: this.me.node,
      role: info.reason === "taking-over" ? "taking-over" : "standby",
      ...(info.active ? { active: info.active } : {}),
    };
  }

  /** The lease store this node uses (GET /api/v1/cluster reads the nodes table through it). */
  get leaseStore(): LeaseStore {
    return this.opts.store;
  }

  get settings(): LeaseSettings {
    return this.opts.settings;
  }

  get nodeRole(): NodeRole {
    return this.role;
  }

  start(): void {
    this.stopped = false;
    void this.look();
  }

  /** Stops looking; an active node steps down and frees the lease so the standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.lookTimer);
    clearTimeout(this.lapseTimer);
    const wasActive = this.role.role === "active";
    if (wasActive) this.changeRole({ role: "standby" }, "stopping");
    await this.hooksTail;
    if (!wasActive) return;
    try {
      await this.opts.store.release(this.me);
      await this.opts.store.beat({ node: this.me.node, instance: this.me.instance, address: this.opts.address(), role: "stopped" });
    } catch (err) {
      this.opts.logger.warn({ err }, "could not free the lease at stop; the standby takes over when it lapses");
    }
  }

  /** Looks at the lease now (the timer does this every heartbeat; tests call it to step). */
  async look(): Promise<void> {
    clearTimeout(this.lookTimer);
    if (this.stopped) return;
    const sentAt = this.mono();
    let nextMs = this.opts.settings.heartbeatSeconds * 1000;
    try {
      // A database that hangs must not stall the loop: the next look asks again (an active that cannot
      // renew stops acting when its own deadline passes, whatever the loop is doing).
      const { lease, now } = await withTimeout(this.opts.store.judge(this.me, this.opts.settings), Math.max(2000, 2 * nextMs));
      if (this.stopped) return;
      nextMs = this.apply(lease, now, sentAt);
      await this.opts.store
        .beat({
          node: this.me.node,
          instance: this.me.instance,
          address: this.opts.address(),
          role: this.role.role,
          ...(this.role.role === "active" ? { epoch: this.role.epoch, leaseExpiresAt: lease.expiresAt } : {}),
        })
        .catch((err) => this.opts.logger.warn({ err }, "could not write this node's heartbeat row"));
    } catch (err) {
      this.metrics?.leaseErrors.inc();
      this.opts.logger.warn(
        { err, role: this.role.role, actsForMs: this.role.role === "active" ? Math.max(0, this.until - this.mono()) : undefined },
        "could not look at the lease (database unreachable?)",
      );
    }
    if (this.stopped) return;
    this.lookTimer = setTimeout(() => void this.look(), nextMs);
    this.lookTimer.unref?.();
  }

  /** Follows the lease the store granted (or not); returns when to look next (ms). */
  private apply(lease: Lease, now: number, sentAt: number): number {
    const heartbeatMs = this.opts.settings.heartbeatSeconds * 1000;
    if (!sameHolder(this.holder, lease.holder)) this.activeAddress = undefined;
    this.holder = lease.holder;
    this.lastLookAt = now;
    const change = roleChange(this.role, lease, this.me);
    if (change.kind === "step-down" || change.kind === "stay-standby") {
      this.takeoverAt = lease.expiresAt;
      if (change.kind === "step-down") this.changeRole({ role: "standby" }, `the lease is held by ${lease.holder?.node ?? "nobody"}`);
      if (this.activeAddress === undefined && lease.holder) void this.findActiveAddress(lease.holder);
      return Math.max(0, Math.min(heartbeatMs, lease.expiresAt - now));
    }
    this.takeoverAt = undefined;
    this.until = actUntil(sentAt, this.opts.settings);
    clearTimeout(this.lapseTimer);
    this.lapseTimer = setTimeout(() => this.lapse(), Math.max(0, this.until - this.mono()));
    this.lapseTimer.unref?.();
    if (change.kind === "take-over") this.changeRole({ role: "active", epoch: change.epoch }, "granted the lease");
    return heartbeatMs;
  }

  /** The active could not renew in time: it stops acting before its lease can lapse in the database. */
  private lapse(): void {
    if (this.role.role !== "active" || this.mono() < this.until) return;
    this.changeRole({ role: "standby" }, "could not renew the lease in time");
  }

  private changeRole(next: NodeRole, reason: string): void {
    const before = this.role;
    this.role = next;
    if (next.role === "active") {
      this.starting = true;
      this.opts.logger.warn({ node: this.me.node, epoch: next.epoch, reason }, "taking over as the active collector");
      this.runHook(async () => {
        await this.hooks.takeOver(next.epoch);
        // Only if nothing changed meanwhile (a step-down queued behind this one undoes it anyway).
        if (this.role === next) {
          this.starting = false;
          this.metrics?.takeovers.inc();
          this.opts.logger.warn({ node: this.me.node, epoch: next.epoch }, "active: accepting events");
        }
      });
    } else if (before.role === "active") {
      this.starting = false;
      this.opts.logger.warn({ node: this.me.node, reason }, "stepping down to standby");
      this.runHook(() => this.hooks.stepDown(reason));
    }
    this.emit("change", next);
  }

  private runHook(fn: () => Promise<void>): void {
    this.hooksTail = this.hooksTail.then(fn).catch((err) => {
      this.opts.logger.error({ err }, "taking over or stepping down failed; standing by");
      if (this.role.role === "active") {
        this.role = { role: "standby" };
        this.starting = false;
        void this.opts.store.release(this.me).catch(() => {});
        this.runHook(() => this.hooks.stepDown("taking over failed"));
      }
    });
  }

  private async findActiveAddress(holder: LeaseHolder): Promise<void> {
    try {
      const row = (await this.opts.store.status()).nodes.find((n) => n.node === holder.node && n.instance === holder.instance);
      if (sameHolder(this.holder, holder)) this.activeAddress = row?.address;
    } catch {
      // Shown without an address; the next look tries again.
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
