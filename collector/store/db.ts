import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.ts";

/** Opens (creating and migrating, collector/store/migrations.ts) the collector's SQLite file: WAL, fsync on commit. */
export function openDatabase(file: string): Database.Database {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  // Statement journals (a savepoint inside a batch's transaction) in memory: they never need to
  // survive a crash (the WAL does), and on disk they cost a write per page a batch changes.
  db.pragma("temp_store = MEMORY");
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new Error(
      `${file}: database schema version ${version} is newer than this collector (${MIGRATIONS.length})`,
    );
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!.sqlite);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
