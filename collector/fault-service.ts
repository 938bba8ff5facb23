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
/** After the store refused the timer's write, try again this much later. */
const RETRY_AFTER_FAILURE_MS = 60 * 1000;

let lastIdMs = 0;

/**
 * A new fault id: `F-`, the minting time in ms as 11 hex digits (strictly increasing in this process),
 * then 5 random hex digits (another collector's ids never meet these). Ids minted later sort later, so
 * the faults' and the audit trail's indexes grow at their end instead of taking a random page per
 * fault: a year-old store writes no more pages per event than a new one.
 */
export function newFaultId(): string {
  lastIdMs = Math.max(Date.now(), lastIdMs + 1);
  return `F-${lastIdMs.toString(16).padStart(11, "0")}${randomBytes(3).toString("hex").slice(0, 5)}`;
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
export class FaultService extends EventEmitter<{
  notice: [Notice];
  "archive-failed": [{ faults: string[]; reason: "check" | "store" }];
}> {
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

  /**
   * The timer: brings faults up to now and archives what can no longer change. An archive that does
   * not happen says so (log, "archive-failed" event, watchfloor_store_archive_failures_total) and
   * is tried again later; a store that refuses the write leaves the engine as committed.
   */
  private tick(): void {
    if (this.stopped) return;
    let archiving: string[] = [];
    try {
      const result = this.engine.advanceTo(this.context());
      const c = result.changes;
      archiving = c.archived;
      if (result.archiveRefused) {
        this.deps.logger.warn(
          { faults: result.archiveRefused },
          "archive refused: re-deriving without these faults' log would change another fault; they stay live",
        );
        this.emit("archive-failed", { faults: result.archiveRefused, reason: "check" });
      }
      if (result.audit.length > 0 || result.notices.length > 0 || c.faults.length > 0 || c.archived.length > 0 || c.full)
        this.commit(c, result.audit, result.notices);
    } catch (err) {
      this.deps.logger.error({ err, archiving }, "the deadline/archive timer could not write to the store; retrying");
      if (archiving.length > 0) this.emit("archive-failed", { faults: archiving, reason: "store" });
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.tick(), RETRY_AFTER_FAILURE_MS);
      this.timer.unref?.();
      return;
    }
    this.schedule();
  }

  /** Brings the faults up to the clock now (the timer does this by itself; tests and tools call it). */
  advance(): void {
    this.tick();
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

  /** Faults not archived: every open or recently resolved one, at a cost that does not grow with the archive. */
  liveFaults(): Fault[] {
    return [...this.engine.liveFaults()];
  }

  windows(): MaintenanceWindow[] {
    return Object.values(this.engine.windows);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
