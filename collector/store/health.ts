import { existsSync } from "node:fs";
import Database from "better-sqlite3";
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

export function isStoreFailure(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && STORE_FAILURES.test(code);
}

const describeError = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.message} (${e.code})` : String(e.message ?? err);
};

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
  quick: string[];
  integrity: string[];
}

/**
 * SQLite's quick_check and, with `full`, integrity_check on the file, read-only (safe while the
 * collector runs). A file SQLite cannot even read counts as damaged, with its error as the finding.
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
    const finding = [describeError(err)];
    return { ok: false, quick: finding, integrity: opts.full ? finding : [] };
  } finally {
    db?.close();
  }
}

/**
 * Before the collector opens its store: undefined when the file is absent (a new store) or passes
 * quick_check, else what is wrong with it.
 */
export function storeDamageAtStart(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const check = checkStore(file, { full: false });
  if (check.ok) return undefined;
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

  constructor(private db: StoreDb) {}

  noteFailure(err: unknown, at: number): void {
    this.lastFailure = { at, reason: describeError(err) };
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
      if (err !== rollback) return { ok: false, reason: `a test write failed: ${describeError(err)}` };
    }
    if (this.lastFailure)
      return {
        ok: false,
        reason: `a request failed on the store at ${new Date(this.lastFailure.at).toISOString()}: ${this.lastFailure.reason}`,
      };
    return { ok: true };
  }
}
