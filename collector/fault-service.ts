import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import {
  advanceTo,
  apply,
  type Command,
  type DomainError,
  type EngineContext,
  type EngineState,
  emptyState,
  type Fault,
  type Inventory,
  type Notice,
  nextArchiveAt,
  nextDueAt,
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
 * The engine at the edge: keeps its state in memory and in SQLite, applies commands one at a time
 * (better-sqlite3 is synchronous, so nothing interleaves), and runs the deadline timer so a breach is
 * recorded at its instant, not when someone looks. Emits every Notice as a "notice" event.
 */
export class FaultService extends EventEmitter<{ notice: [Notice] }> {
  private state: EngineState;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private deps: FaultServiceDeps) {
    super();
    this.state = deps.store.loadEngineState() ?? emptyState();
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
   * Runs fn in one store transaction (dispatches inside it commit together). When it throws, the
   * transaction rolls back and the engine reloads what was committed, so memory never runs ahead.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.deps.store.db.transaction(fn)();
    } catch (err) {
      if (!this.deps.store.db.inTransaction) this.state = this.deps.store.loadEngineState() ?? emptyState();
      throw err;
    }
  }

  dispatch(cmd: Command): { ok: true; notices: Notice[] } | { ok: false; error: DomainError } {
    const ctx = this.context();
    const result = apply(this.state, cmd, ctx);
    if (!result.ok) return result;
    this.commit(result.state, result.audit, result.notices, ctx.now);
    this.schedule();
    return { ok: true, notices: result.notices };
  }

  private commit(
    next: EngineState,
    audit: Parameters<CollectorStore["commit"]>[2],
    notices: Notice[],
    now: number,
  ): void {
    const changed: Fault[] = [];
    for (const [id, fault] of Object.entries(next.faults))
      if (this.state.faults[id] !== fault && JSON.stringify(this.state.faults[id]) !== JSON.stringify(fault))
        changed.push(fault);
    const dropped = Object.keys(this.state.faults).filter((id) => !(id in next.faults));
    this.deps.store.commit(next, changed, audit, now, dropped);
    this.state = next;
    for (const n of notices) {
      this.deps.logger.info({ notice: n.type, fault: n.faultId, deadline: n.deadline }, "fault notice");
      this.emit("notice", n);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const ctx = this.context();
    const result = advanceTo(this.state, ctx);
    if (result.audit.length > 0 || result.notices.length > 0 || result.state !== this.state)
      this.commit(result.state, result.audit, result.notices, ctx.now);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // Deadlines and folding decisions, and when a resolved fault becomes old enough to archive.
    const times = [nextDueAt(this.state, this.deps.policy), nextArchiveAt(this.state, this.deps.policy)];
    const pending = times.filter((t): t is number => t !== undefined);
    if (pending.length === 0) return;
    const due = Math.min(...pending);
    const wait = Math.min(Math.max(due - this.deps.clock.now(), 0), MAX_SLEEP_MS);
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref?.();
  }

  faults(): Fault[] {
    return Object.values(this.state.faults);
  }

  fault(id: string): Fault | undefined {
    return Object.hasOwn(this.state.faults, id) ? this.state.faults[id] : undefined;
  }

  windows(): EngineState["windows"][string][] {
    return Object.values(this.state.windows);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
