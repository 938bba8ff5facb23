import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import {
  type AuditDraft,
  type Command,
  type DomainError,
  type EngineChanges,
  type EngineContext,
  type Fault,
  type Inventory,
  type LiveEngine,
  type MaintenanceWindow,
  mergeChanges,
  type Notice,
  noChanges,
  type Policy,
} from "./domain/index.ts";
import type { CollectorStore } from "./store/store.ts";

/** Longest single sleep; the timer re-checks at least this often (setTimeout caps near 24.8 days). */
const MAX_SLEEP_MS = 60 * 60 * 1000;

export function newFaultId(): string {
  return `F-${randomBytes(6).toString("hex")}`;
}

export interface FaultServiceDeps {
  store: CollectorStore;
  clock: Clock;
  policy: Policy;
  inventory: Inventory;
  logger: Logger;
  newId?: () => string;
}

/**
 * The engine at the edge: the incremental engine in memory, its changes written as rows, commands
 * applied one at a time (better-sqlite3 is synchronous, so nothing interleaves), and the deadline
 * timer so a breach is recorded at its instant, not when someone looks. Emits every Notice as a
 * "notice" event.
 */
export class FaultService extends EventEmitter<{ notice: [Notice] }> {
  private engine: LiveEngine;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Changes of the dispatches inside transaction(), written when it ends. */
  private pending: { changes: EngineChanges; audit: AuditDraft[] } | undefined;

  constructor(private deps: FaultServiceDeps) {
    super();
    this.engine = deps.store.loadEngine();
  }

  get policy(): Policy {
    return this.deps.policy;
  }

  private context(): EngineContext {
    return {
      now: this.deps.clock.now(),
      policy: this.deps.policy,
      inventory: this.deps.inventory,
      newId: this.deps.newId ?? newFaultId,
    };
  }

  /** Starts the deadline timer, first catching up on anything that fell due while we were down. */
  start(): void {
    this.tick();
  }

  /**
   * Runs fn in one store transaction: the dispatches inside it write their rows once, at the end
   * (a fault changed by many events of a batch is written once). When it throws, the transaction
   * rolls back and the engine reloads what was committed, so memory never runs ahead of the store.
   */
  transaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    const pending = { changes: noChanges(this.deps.clock.now()), audit: [] as AuditDraft[] };
    this.pending = pending;
    try {
      return this.deps.store.db.transaction(() => {
        const result = fn();
        this.pending = undefined;
        this.deps.store.saveEngine(pending.changes, pending.audit, this.engine);
        return result;
      })();
    } catch (err) {
      if (!this.deps.store.db.inTransaction) this.engine = this.deps.store.loadEngine();
      throw err;
    } finally {
      this.pending = undefined;
    }
  }

  dispatch(cmd: Command): { ok: true; notices: Notice[] } | { ok: false; error: DomainError } {
    const result = this.engine.apply(cmd, this.context());
    if (!result.ok) return result;
    this.commit(result.changes, result.audit, result.notices);
    this.schedule();
    return { ok: true, notices: result.notices };
  }

  private commit(changes: EngineChanges, audit: AuditDraft[], notices: Notice[]): void {
    if (this.pending) {
      this.pending.changes = mergeChanges(this.pending.changes, changes);
      this.pending.audit.push(...audit);
    } else {
      try {
        this.deps.store.saveEngine(changes, audit, this.engine);
      } catch (err) {
        if (!this.deps.store.db.inTransaction) this.engine = this.deps.store.loadEngine();
        throw err;
      }
    }
    for (const n of notices) {
      this.deps.logger.info({ notice: n.type, fault: n.faultId, deadline: n.deadline }, "fault notice");
      this.emit("notice", n);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const result = this.engine.advanceTo(this.context());
    const c = result.changes;
    if (result.audit.length > 0 || result.notices.length > 0 || c.faults.length > 0 || c.archived.length > 0 || c.full)
      this.commit(c, result.audit, result.notices);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // Deadlines and folding decisions, and when a resolved fault becomes old enough to archive.
    const times = [this.engine.nextDueAt(this.deps.policy), this.engine.nextArchiveAt(this.deps.policy)];
    const pending = times.filter((t): t is number => t !== undefined);
    if (pending.length === 0) return;
    const due = Math.min(...pending);
    const wait = Math.min(Math.max(due - this.deps.clock.now(), 0), MAX_SLEEP_MS);
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref?.();
  }

  faults(): Fault[] {
    return [...this.engine.faults()];
  }

  fault(id: string): Fault | undefined {
    return this.engine.fault(id);
  }

  windows(): MaintenanceWindow[] {
    return Object.values(this.engine.windows);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
