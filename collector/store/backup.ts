import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { verifyAuditChain } from "../domain/index.ts";
import { openDatabase } from "./db.ts";
import { CollectorStore } from "./store.ts";
import { StoreDb } from "./store-db.ts";

/** What a store file holds, as checked: SQLite's integrity check and the audit hash chain. */
export interface StoreSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  auditEntries: number;
  auditHead?: string;
  faults: number;
}

export class StoreFileError extends Error {}

/**
 * Checks a store file opened as `db`: SQLite's own integrity check, then the audit trail's hash chain
 * up to its recorded head; throws StoreFileError saying what is wrong.
 */
async function summarize(db: Database.Database, file: string): Promise<StoreSummary> {
  const integrity = db.pragma("integrity_check", { simple: true });
  if (integrity !== "ok") throw new StoreFileError(`${file}: SQLite integrity check failed: ${integrity}`);
  // Not closed here: the caller closes the handle.
  const store = new CollectorStore(StoreDb.ofSqlite(db, file));
  const head = await store.auditHead();
  const verdict = verifyAuditChain(await store.audit(), head);
  if (!verdict.ok)
    throw new StoreFileError(`${file}: the audit trail is BROKEN at entry ${verdict.seq}: ${verdict.reason}`);
  const faults = (db.prepare("SELECT count(*) AS n FROM faults").get() as { n: number }).n;
  return {
    file,
    bytes: statSync(file).size,
    schemaVersion: db.pragma("user_version", { simple: true }) as number,
    auditEntries: verdict.count,
    auditHead: head?.hash,
    faults,
  };
}

function openExisting(file: string): Database.Database {
  if (!existsSync(file)) throw new StoreFileError(`${file}: no such file`);
  try {
    const db = new Database(file, { fileMustExist: true });
    // A file that is not SQLite opens fine and fails on first read.
    db.pragma("user_version", { simple: true });
    return db;
  } catch (err) {
    throw new StoreFileError(`${file}: not a readable SQLite database (${(err as Error).message})`);
  }
}

/**
 * An online backup of the collector's store to `out`, through SQLite's backup API (better-sqlite3's
 * db.backup): a consistent snapshot while the collector keeps writing. The copy is then checked
 * (integrity, audit chain). The live file is only read: no migration, whatever this version is.
 */
export async function backupStore(dbFile: string, out: string): Promise<StoreSummary> {
  if (existsSync(out)) throw new StoreFileError(`${out}: already exists (a backup never overwrites a file)`);
  const live = openExisting(dbFile);
  try {
    mkdirSync(dirname(out), { recursive: true });
    await live.backup(out);
  } finally {
    live.close();
  }
  const copy = new Database(out, { fileMustExist: true });
  try {
    // The snapshot keeps the live file's WAL flag; a backup is one self-contained file.
    copy.pragma("journal_mode = DELETE");
    return await summarize(copy, out);
  } finally {
    copy.close();
  }
}

/** Checks a backup file without changing anything (integrity, audit chain, schema version). */
export async function checkStoreFile(file: string): Promise<StoreSummary> {
  const db = openExisting(file);
  try {
    return await summarize(db, file);
  } finally {
    db.close();
  }
}

/** Throws when another process (a running collector) has the store open. */
function assertNotInUse(dbFile: string): void {
  if (!existsSync(dbFile)) return;
  const db = new Database(dbFile, { fileMustExist: true, timeout: 0 });
  try {
    // In WAL mode an exclusive lock is refused while any other connection has the file open.
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE; COMMIT;");
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_BUSY")
      throw new StoreFileError(
        `${dbFile} is in use (is the collector running? stop it first: systemctl stop watchfloor-collector)`,
      );
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the collector's store (the collector must be stopped). The backup is
 * checked first; the current store, if any, is kept beside it as `collector.db.replaced-<time>`; the
 * restored file is then opened the way the collector opens it (an older schema is migrated) and
 * checked again.
 */
export async function restoreStore(
  backupFile: string,
  dbFile: string,
  now: Date,
): Promise<{ restored: StoreSummary; keptAs?: string }> {
  const backup = await checkStoreFile(backupFile);
  assertNotInUse(dbFile);
  let keptAs: string | undefined;
  if (existsSync(dbFile)) {
    keptAs = `${dbFile}.replaced-${now.toISOString().replace(/[:.]/g, "-")}`;
    renameSync(dbFile, keptAs);
    // A cleanly closed WAL database leaves no -wal/-shm; a crashed one does, and they belong to it.
    for (const suffix of ["-wal", "-shm"])
      if (existsSync(dbFile + suffix)) renameSync(dbFile + suffix, keptAs + suffix);
  }
  mkdirSync(dirname(dbFile), { recursive: true });
  // The backup API again rather than a file copy: what lands is a whole, consistent database.
  const src = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    await src.backup(dbFile);
  } finally {
    src.close();
  }
  const db = openDatabase(dbFile);
  try {
    const restored = await summarize(db, dbFile);
    if (restored.auditHead !== backup.auditHead || restored.auditEntries !== backup.auditEntries)
      throw new StoreFileError(`${dbFile}: the restored audit trail differs from the backup's`);
    return { restored, keptAs };
  } finally {
    db.close();
  }
}
