import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import {
  type ArchivedFaults,
  type AuditDraft,
  type Command,
  type DomainError,
  type EngineChanges,
  type EngineContext,
  type Fault,
  faultKey,
  type Inventory,
  type KpiReport,
  type KpiTally,
  kpiFromTallies,
  kpiTally,
  type LiveEngine,
  type MaintenanceWindow,
  mergeChanges,
  type Notice,
  noChanges,
  type Period,
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

/** What a command did: its notices, or why the engine refused it. */
export type DispatchResult = { ok: true; notices: Notice[] } | { ok: false; error: DomainError };

/** A condition change (an agent's event, an alert, the collector's own rules): never about an archived fault. */
export type ConditionCommand = Extract<Command, { type: "condition" }>;

/** Commands applied together and written in one store transaction (FaultService.transaction). */
export interface EngineBatch {
  /** The store inside the batch's transaction: what fn writes here commits or rolls back with the faults. */
  readonly store: CollectorStore;
  /** Applies a condition change to the engine now; its rows are written when the batch commits. */
  dispatch(cmd: ConditionCommand): DispatchResult;
  /** Applies any command (an action may name an archived fault, read from the store first); written at commit. */
  act(cmd: Command): Promise<DispatchResult>;
  /** An audit entry from the edge (an event's time corrected at ingest), chained after the commands' own. */
  note(entry: AuditDraft): void;
}

/** Periods whose archived faults' KPI tally is kept (the current quarter and month, and a few asked for). */
const KPI_TALLIES_KEPT = 8;

/**
 * The engine at the edge: the incremental engine in memory, its changes written as rows, commands
 * applied one at a time in the order they came (each waits for the one before it to commit), and the
 * deadline timer so a breach is recorded at its instant, not when someone looks. Notices are emitted
 * ("notice" events) once their command has committed.
 *
 * While a command waits for its commit, readers (faults(), fault()) already see it; if the store
 * refuses the write, the engine is reloaded from what was committed.
 */
export class FaultService extends EventEmitter<{
  notice: [Notice];
  "archive-failed": [{ faults: string[]; reason: "check" | "store" }];
}> {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The end of the queue of engine work: each call runs after the one before it settled. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Engine calls queued or running. */
  private queued = 0;
  /**
   * The KPI tally of the archived faults of a period, by period label: archived faults never change,
   * so a period's tally is read from the store once and then only grows as faults are archived.
   */
  private archivedTallies = new Map<string, { period: Period; tally: KpiTally }>();

  private constructor(
    private deps: FaultServiceDeps,
    private engine: LiveEngine,
  ) {
    super();
  }

  /** Loads the engine as last committed. */
  static async open(deps: FaultServiceDeps): Promise<FaultService> {
    return new FaultService(deps, await deps.store.loadEngine());
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
    this.stopped = false;
    void this.tick();
  }

  /**
   * Runs fn after every engine call queued before it has settled, and before any queued after it. A
   * call that had to wait starts in a later turn of the event loop (setImmediate), not in the same one
   * as the call before it: back-to-back slices of two agents' batches must not hold the loop as one.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const waited = this.queued > 0;
    this.queued += 1;
    const start = waited ? this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))) : this.tail;
    const run = start.then(fn).finally(() => {
      this.queued -= 1;
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /**
   * Runs fn in one store transaction: the commands it dispatches through the batch write their rows
   * once, at the end (a fault changed by many events of a batch is written once), with whatever fn
   * wrote through batch.store. When it throws, the transaction rolls back and the engine reloads what
   * was committed, so memory never stays ahead of the store.
   */
  transaction<T>(fn: (batch: EngineBatch) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      let changes = noChanges(this.deps.clock.now());
      const audit: AuditDraft[] = [];
      const notices: Notice[] = [];
      try {
        const result = await this.deps.store.transaction(async (tx) => {
          const run = (cmd: Command, archived?: ArchivedFaults): DispatchResult => {
            const r = this.engine.apply(cmd, this.context(), archived);
            if (!r.ok) return r;
            changes = mergeChanges(changes, r.changes);
            audit.push(...r.audit);
            notices.push(...r.notices);
            return { ok: true, notices: r.notices };
          };
          const out = await fn({
            store: tx,
            dispatch: (cmd) => run(cmd),
            act: async (cmd) => run(cmd, await tx.faultRows.archivedFor(cmd)),
            note: (entry) => audit.push(entry),
          });
          await tx.saveEngine(changes, audit, this.engine);
          return out;
        });
        this.released();
        this.announce(notices);
        return result;
      } catch (err) {
        await this.reload();
        throw err;
      } finally {
        this.schedule();
      }
    });
  }

  /** Applies one command and commits it. */
  dispatch(cmd: Command): Promise<DispatchResult> {
    return this.exclusive(async () => {
      const result = this.engine.apply(cmd, this.context(), await this.deps.store.faultRows.archivedFor(cmd));
      if (!result.ok) return result;
      await this.commit(result.changes, result.audit, result.notices);
      this.schedule();
      return { ok: true, notices: result.notices };
    });
  }

  private async commit(changes: EngineChanges, audit: AuditDraft[], notices: Notice[]): Promise<void> {
    try {
      await this.deps.store.saveEngine(changes, audit, this.engine);
    } catch (err) {
      await this.reload();
      throw err;
    }
    this.released();
    this.announce(notices);
  }

  /** Once archiving is committed, the engine lets go of the archived faults; the KPI tallies kept take them in. */
  private released(): void {
    const gone = this.engine.releaseArchived();
    if (gone.length === 0) return;
    const now = this.deps.clock.now();
    for (const { period, tally } of this.archivedTallies.values()) {
      const more = kpiTally(period, gone, this.deps.policy, now);
      for (const k of ["met", "breached", "exempted", "planned", "pending"] as const) tally[k] += more[k];
      tally.breaches.push(...more.breaches);
    }
  }

  /** Loads the engine as last committed (also when a standby takes over: another node may have written since). */
  async reload(): Promise<void> {
    this.engine = await this.deps.store.loadEngine();
    this.archivedTallies.clear();
  }

  private announce(notices: Notice[]): void {
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
  private tick(): Promise<void> {
    return this.exclusive(async () => {
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
          await this.commit(c, result.audit, result.notices);
      } catch (err) {
        this.deps.logger.error({ err, archiving }, "the deadline/archive timer could not write to the store; retrying");
        if (archiving.length > 0) this.emit("archive-failed", { faults: archiving, reason: "store" });
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.tick(), RETRY_AFTER_FAILURE_MS);
        this.timer.unref?.();
        return;
      }
      this.schedule();
    });
  }

  /** Brings the faults up to the clock now (the timer does this by itself; tests and tools call it). */
  advance(): Promise<void> {
    return this.tick();
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
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref?.();
  }

  /**
   * Every fault, archived ones included (read from the store: a year's worth is read for the call and
   * let go), or those opened in a period (one index range). The engine's version of each it holds.
   */
  async faults(openedIn?: { start: number; end: number }): Promise<Fault[]> {
    const inPeriod = (f: Fault) => !openedIn || (f.openedAt >= openedIn.start && f.openedAt < openedIn.end);
    return this.withHeld(await this.deps.store.faultRows.archived(openedIn), inPeriod);
  }

  /** Every fault with an exemption, archived ones included (the store picks those out). */
  async faultsWithExemption(): Promise<Fault[]> {
    return this.withHeld(await this.deps.store.faultRows.archivedWithExemption(), (f) => f.exemption !== undefined);
  }

  /**
   * Archived rows, then the faults the engine holds that `keep` picks. A row of a fault the engine
   * still holds (archived, committed, not yet let go) gives way to the engine's.
   */
  private withHeld(rows: Fault[], keep: (f: Fault) => boolean): Fault[] {
    const held = [...this.engine.faults()];
    const ids = new Set(held.map((f) => f.id));
    return [...rows.filter((f) => !ids.has(f.id)), ...held.filter(keep)];
  }

  /** One fault, archived or not. */
  async fault(id: string): Promise<Fault | undefined> {
    return this.engine.fault(id) ?? (await this.deps.store.faultRows.archivedById(id));
  }

  /** Several faults by id, archived or not (a round's, a page's). */
  async faultsById(ids: readonly string[]): Promise<Map<string, Fault | undefined>> {
    return new Map(await Promise.all(ids.map(async (id) => [id, await this.fault(id)] as const)));
  }

  /** A fault the engine holds (every one not archived); undefined for an archived one (see fault()). */
  liveFault(id: string): Fault | undefined {
    return this.engine.fault(id);
  }

  /** The live faults of one condition (device + condition + labels). */
  conditionFaults(device: string, condition: string, labels: Record<string, string>): Fault[] {
    return this.engine.faultsOfKey(faultKey(device, condition, labels));
  }

  /** Whether the engine would ignore this condition event (held already, or older than what was archived). */
  ignores(cmd: ConditionCommand): boolean {
    return this.engine.ignores(cmd, this.context());
  }

  /** Faults not archived: every open or recently resolved one, at a cost that does not grow with the archive. */
  liveFaults(): Fault[] {
    return [...this.engine.liveFaults()];
  }

  /**
   * The KPI for a period: the faults the engine holds, plus the tally of the period's archived faults
   * (read from the store the first time a period is asked for, then kept up to date as faults are archived).
   */
  async kpi(period: Period, now: number): Promise<KpiReport> {
    const { policy } = this.deps;
    let archived = this.archivedTallies.get(period.label);
    if (!archived) {
      const rows = await this.deps.store.faultRows.archived(period);
      // An archived fault the engine still holds (its archiving just committed) is counted from the engine.
      const held = new Set([...this.engine.faults()].map((f) => f.id));
      archived = { period, tally: kpiTally(period, rows.filter((f) => !held.has(f.id)), policy, now) };
      this.archivedTallies.set(period.label, archived);
      if (this.archivedTallies.size > KPI_TALLIES_KEPT)
        this.archivedTallies.delete(this.archivedTallies.keys().next().value!);
    }
    return kpiFromTallies(period, [archived.tally, kpiTally(period, this.engine.faults(), policy, now)], policy, now);
  }

  windows(): MaintenanceWindow[] {
    return Object.values(this.engine.windows);
  }

  /** Stops the timer and waits for engine work in flight to commit (before the store closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tail;
  }
}
