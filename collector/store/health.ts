import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Counter, type Registry } from "prom-client";
import type { StoreDb } from "./store-db.ts";

/**
 * Whether the store can do its work: a damaged file is noticed by /healthz, refused at start, and
 * described by `watchfloor store check --config FILE`.
 */

/**
 * Error codes that mean the store itself is damaged or unreachable, not a bad query: SQLite's result
 * codes; PostgreSQL's SQLSTATE classes 08 (connection), 53 (disk full, out of memory), 57P (server shut
 * down), 58 (I/O) and XX (data corrupted); and a server that cannot be reached at all.
 */
const STORE_FAILURES =
  /^SQLITE_(CORRUPT|NOTADB|IOERR|FULL|READONLY|CANTOPEN|PROTOCOL)|^(08...|53...|57P..|58...|XX...|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/;

/**
 * node-postgres reports a server that went away in the middle of a query without a SQLSTATE ("Connection
 * terminated unexpectedly"): given class 08's connection_failure (08006), so it answers 503 like any
 * unreachable store, not 500 (which an agent may read as being about its batch).
 */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Connection terminated due to connection timeout)/;

export function isStoreFailure(err: unknown): err is Error & { code: string } {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && e.code === undefined && typeof e.message === "string" && PG_CONNECTION_LOST.test(e.message))
    (e as { code?: string }).code = "08006";
  const code = e?.code;
  return typeof code === "string" && STORE_FAILURES.test(code);
}

const describeError = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.message} (${e.code})` : String(e.message ?? err);
};

/**
 * What kind of trouble a store failure is (bounded: the metric's label): `full` — no room on the disk;
 * `io` — the disk or file system failed; `damaged` — the file's content is corrupt; `readonly` — the
 * store cannot be opened or written (permissions, a read-only mount); `unavailable` — the server cannot
 * be reached or is out of resources (PostgreSQL).
 */
export type StoreFailureKind = "full" | "io" | "damaged" | "readonly" | "unavailable";
const FAILURE_KINDS: readonly StoreFailureKind[] = ["full", "io", "damaged", "readonly", "unavailable"];

/**
 * Below this much room left, an I/O error on the store's disk is taken as the disk being full: SQLite
 * reports a full disk as SQLITE_FULL on a write, but as SQLITE_IOERR_SHMSIZE / _WRITE / _TRUNCATE when
 * its WAL index or journal cannot grow.
 */
const FULL_BELOW_BYTES = 1024 * 1024;

/** Bytes free to this process on the file system holding `file`; undefined when it cannot be asked. */
export function bytesFreeBeside(file: string): number | undefined {
  try {
    const fs = statfsSync(dirname(file));
    return Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return undefined;
  }
}

/** The kind of a store error; `file`: the SQLite file, whose disk is asked how full it is. */
export function storeFailureKind(err: unknown, file?: string): StoreFailureKind | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (code === "SQLITE_FULL" || code === "53100" || code === "ENOSPC") return "full";
  if (/^SQLITE_IOERR|^58...$|^EIO$/.test(code)) {
    const free = file ? bytesFreeBeside(file) : undefined;
    return free !== undefined && free < FULL_BELOW_BYTES ? "full" : "io";
  }
  if (/^SQLITE_(CORRUPT|NOTADB)|^XX...$/.test(code)) return "damaged";
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)|^(EACCES|EPERM|EROFS)$/.test(code)) return "readonly";
  return isStoreFailure(err) ? "unavailable" : undefined;
}

/** A store failure in words a person can act on (healthz, the 503's message, logs, refusals at start). */
export function storeFailureWords(err: unknown, where: string, kind = storeFailureKind(err, where)): string {
  const what = describeError(err);
  switch (kind) {
    case "full": {
      const free = bytesFreeBeside(where);
      const room = free === undefined ? "" : `, ${free} bytes free`;
      return `store full: the disk holding ${where} has no room (${what}${room}); free space on it, nothing is damaged`;
    }
    case "io":
      return `store I/O error on ${where} (${what}): the disk or file system failed`;
    case "readonly":
      return `store not writable: ${where} (${what}); check the file's and directory's owner, permissions and mount`;
    case "damaged":
      return `store damaged: ${where} (${what})`;
    default:
      return `store unavailable: ${where} (${what})`;
  }
}

/** What to tell a person whose store is damaged (the collector's refusal and `store check`). */
export function damagedStoreAdvice(configFile: string): string {
  return (
    `restore it from a backup with the collector stopped: watchfloor store restore --config ${configFile} --from BACKUP ` +
    `(the damaged file is kept beside it); watchfloor store check --config ${configFile} shows the damage`
  );
}

/** Rows SQLite's quick_check (or integrity_check) reports; ["ok"] for a sound file. */
function pragmaCheck(db: Database.Database, pragma: "quick_check" | "integrity_check"): string[] {
  // One row may carry several findings, a line each ("*** in database main ***" heads them).
  return (db.pragma(`${pragma}(20)`) as Array<Record<string, string>>)
    .flatMap((r) => Object.values(r)[0]!.split("\n"))
    .filter((line) => line !== "" && !line.startsWith("*** in database"));
}

export interface StoreCheck {
  ok: boolean;
  /** The checks could not run (a full disk, an I/O error, no permission): why; the file is not known to be damaged. */
  unchecked?: string;
  quick: string[];
  integrity: string[];
}

/**
 * SQLite's quick_check and, with `full`, integrity_check on the file, read-only (safe while the
 * collector runs). A file SQLite cannot even read counts as damaged, with its error as the finding,
 * unless the error is the disk's (full, failing) or a permission: then the checks did not run (`unchecked`).
 */
export function checkStore(file: string, opts: { full: boolean }): StoreCheck {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const quick = pragmaCheck(db, "quick_check");
    const integrity = opts.full ? pragmaCheck(db, "integrity_check") : [];
    const sound = (rows: string[]) => rows.length === 1 && rows[0] === "ok";
    return { ok: sound(quick) && (!opts.full || sound(integrity)), quick, integrity };
  } catch (err) {
    const kind = storeFailureKind(err, file);
    // A full disk, a failing disk or a file it may not read says nothing about the file's content.
    if (kind === "full" || kind === "io" || kind === "readonly")
      return { ok: false, unchecked: storeFailureWords(err, file, kind), quick: [], integrity: [] };
    const finding = [describeError(err)];
    return { ok: false, quick: finding, integrity: opts.full ? finding : [] };
  } finally {
    db?.close();
  }
}

/**
 * Before the collector opens its store: undefined when the file is absent (a new store) or passes
 * quick_check; `{ unchecked }` when it could not be checked (a full disk: nothing is damaged), else
 * what is wrong with it.
 */
export function storeDamageAtStart(file: string): string | { unchecked: string } | undefined {
  if (!existsSync(file)) return undefined;
  const check = checkStore(file, { full: false });
  if (check.ok) return undefined;
  if (check.unchecked) return { unchecked: check.unchecked };
  const more = check.quick.length > 3 ? `; … ${check.quick.length - 3} more` : "";
  return `quick_check: ${check.quick.slice(0, 3).join("; ")}${more}`;
}

/**
 * What /healthz reports about the store. `probe` writes a row to the events table (where every
 * ingest writes) inside a transaction that is always rolled back; the last failure of a request
 * against the store is remembered until a write succeeds, since damage in one page shows only to the
 * writes that reach it.
 */
export class StoreHealth {
  private lastFailure: { at: number; reason: string } | undefined;
  private readonly failures: Counter<"kind">;

  constructor(
    private db: StoreDb,
    registry?: Registry,
  ) {
    this.failures =
      (registry?.getSingleMetric("watchfloor_store_failures_total") as Counter<"kind"> | undefined) ??
      new Counter({
        name: "watchfloor_store_failures_total",
        help: "Requests that failed on the store, by kind: full (no room on its disk), io, damaged, readonly, unavailable.",
        labelNames: ["kind"],
        registers: registry ? [registry] : [],
      });
    for (const kind of FAILURE_KINDS) this.failures.inc({ kind }, 0);
  }

  /** A request failed on the store: counted, and /healthz says so until a write works. */
  noteFailure(err: unknown, at: number): void {
    const kind = this.kindOf(err) ?? "unavailable";
    this.failures.inc({ kind });
    this.lastFailure = { at, reason: this.words(err, kind) };
  }

  /** Only a SQLite store has a file whose disk can be asked how full it is. */
  private kindOf(err: unknown): StoreFailureKind | undefined {
    return storeFailureKind(err, this.db.kind === "sqlite" ? this.db.where : undefined);
  }

  /** A store failure in words (the 503's message, the log, /healthz). */
  words(err: unknown, kind = this.kindOf(err)): string {
    return storeFailureWords(err, this.db.where, kind);
  }

  noteWriteOk(): void {
    this.lastFailure = undefined;
  }

  async probe(now: number): Promise<{ ok: true } | { ok: false; reason: string }> {
    const rollback = new Error("health probe: roll back");
    try {
      // Not fenced: a standby's store is as healthy as the active's, though it may not write for real.
      await this.db.transaction(async (tx) => {
        await tx.q
          .insertInto("events")
          .values({
            id: `healthz-probe-${now}`,
            agent: "healthz",
            type: "probe",
            received_at: now,
            body: "{}",
          })
          .execute();
        throw rollback;
      }, { fenced: false });
    } catch (err) {
      if (err !== rollback) return { ok: false, reason: `a test write failed: ${this.words(err)}` };
    }
    if (this.lastFailure)
      return {
        ok: false,
        reason: `a request failed on the store at ${new Date(this.lastFailure.at).toISOString()}: ${this.lastFailure.reason}`,
      };
    return { ok: true };
  }
}
