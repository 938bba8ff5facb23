/**
 * The collector's database connection for either store: SQLite (the embedded default, one file, no
 * server) or PostgreSQL (scale and high availability; several collectors share one). Queries are written
 * once with Kysely against collector/store/schema.ts; the few expressions the two dialects spell
 * differently (JSON fields, a JSON array's members) are methods here.
 */
import type Database from "better-sqlite3";
import {
  type Compilable,
  type CompiledQuery,
  type Expression,
  Kysely,
  PostgresDialect,
  type RawBuilder,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from "kysely";
import pg from "pg";
import { openDatabase } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";
import type { Tables } from "./schema.ts";

export type StoreKind = "sqlite" | "postgres";

/**
 * One handle on the store: the pool (or SQLite's single connection), or a transaction on it. Store
 * classes take a StoreDb and run every query on `q`; `transaction(fn)` hands fn a StoreDb bound to the
 * transaction (already inside one, fn gets this one: nested calls join the outer transaction).
 */
export class StoreDb {
  private constructor(
    readonly q: Kysely<Tables>,
    readonly kind: StoreKind,
    /** The SQLite file's own handle (file-level tools: backup, integrity checks); undefined on PostgreSQL. */
    readonly sqlite: Database.Database | undefined,
    /** What the store is, for logs and errors: a file name, or host:port/database (never a password). */
    readonly where: string,
    /** Insert statements compiled once (insertRows), shared with the transactions' handles. */
    private readonly shapes: Map<string, InsertShape | undefined> = new Map(),
  ) {}

  /** Opens (creating and migrating) a SQLite store file, or ":memory:". */
  static sqlite(file: string): StoreDb {
    return StoreDb.ofSqlite(openDatabase(file), file);
  }

  /** Queries on a SQLite handle already open (as it is: no migration); close() closes it. */
  static ofSqlite(db: Database.Database, file: string): StoreDb {
    return new StoreDb(
      new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachedStatements(db) }) }),
      "sqlite",
      db,
      file,
    );
  }

  /** Connects to PostgreSQL and migrates its schema (in one transaction, under an advisory lock). */
  static async postgres(url: string, opts: { poolSize?: number } = {}): Promise<StoreDb> {
    const where = describePostgresUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, types: PG_TYPES });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    pool.on("error", () => {});
    // pg-pool listens for errors on idle clients only: a client checked out (a query or a transaction
    // in flight) when the server goes away emits "Connection terminated unexpectedly" with nobody to
    // hear it, and the process dies of an unhandled 'error' event. The query in flight is rejected
    // with the same error, and the pool drops the client when it comes back (no longer queryable).
    pool.on("connect", (client) => client.on("error", () => {}));
    try {
      await migratePostgres(pool, where);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new StoreDb(
      new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
      "postgres",
      undefined,
      where,
    );
  }

  get inTransaction(): boolean {
    return this.q.isTransaction;
  }

  /** collector.ha: checked at the start of every transaction; throws when this node may no longer write. */
  private fence: ((tx: StoreDb) => Promise<void>) | undefined;

  /** Sets the check every transaction (but those opened with `fenced: false`) starts with. */
  setFence(fence: ((tx: StoreDb) => Promise<void>) | undefined): void {
    this.fence = fence;
  }

  transaction<T>(fn: (tx: StoreDb) => Promise<T>, opts: { fenced?: boolean } = {}): Promise<T> {
    if (this.q.isTransaction) return fn(this);
    const fence = opts.fenced === false ? undefined : this.fence;
    return this.q.transaction().execute(async (trx) => {
      const tx = new StoreDb(trx, this.kind, this.sqlite, this.where, this.shapes);
      if (fence) await fence(tx);
      return fn(tx);
    });
  }

  /**
   * A multi-row INSERT (rows alike: the same keys in the same order), built by `build`. Building
   * Kysely's tree for a 100-row insert costs about a millisecond, which the ingest path would pay per
   * statement with the event loop held; so `build` is only ever given one row, and the statement for
   * n rows is that one's text with its VALUES tuple repeated (every value a bound parameter, in row
   * order; a statement that is not so is built and run as it is). Returns the rows of a RETURNING
   * clause, in order.
   *
   * PostgreSQL: up to PG_ROWS_MAX rows in ONE statement (one round trip whatever their number; the
   * server parses it anew either way). SQLite (no round trips, but a prepared statement per text): the
   * rows go in parts of 128, 64, …, 1 (a binary decomposition of their number), so a table has at most
   * eight texts; `padded`, only for an INSERT ... ON CONFLICT DO NOTHING: up to PADDED_MAX rows in one
   * statement, padded to the next of paddedSize's sizes with copies of the last row, which the conflict
   * clause skips: the statement writes exactly the rows given, and a RETURNING clause returns each
   * inserted key once. (A copy would make DO UPDATE touch a row twice, and an insert without a conflict
   * clause fail.)
   */
  async insertRows<R extends Record<string, unknown>, O = unknown>(
    name: string,
    rows: readonly R[],
    build: (q: Kysely<Tables>, rows: readonly R[]) => Compilable<O>,
    opts: { padded?: boolean } = {},
  ): Promise<O[]> {
    if (rows.length === 0) return [];
    const columns = Object.keys(rows[0]!);
    const one = this.oneRow(name, rows[0]!, columns, build);
    if (!one) return (await this.q.executeQuery<O>(build(this.q, rows).compile())).rows;
    const out: O[] = [];
    const most =
      this.kind === "postgres" ? Math.min(PG_ROWS_MAX, Math.floor(PG_PARAMS_MAX / columns.length)) : 0;
    for (let at = 0; at < rows.length; ) {
      let size = most;
      if (this.kind === "sqlite") {
        size = opts.padded ? PADDED_MAX : 128;
        if (!opts.padded) while (size > rows.length - at) size /= 2;
      }
      const part = rows.slice(at, at + size);
      at += part.length;
      const padTo = this.kind === "sqlite" && opts.padded ? paddedSize(part.length) : part.length;
      const parameters: unknown[] = [];
      for (let i = 0; i < padTo; i++) {
        const r = part[Math.min(i, part.length - 1)]!;
        for (const c of columns) parameters.push(r[c]);
      }
      const sql = one.text(padTo);
      const result = await this.q.executeQuery<O>({ ...one.query, sql, parameters } as CompiledQuery<O>);
      for (const r of result.rows) out.push(r);
    }
    return out;
  }

  /**
   * The one-row statement of an insert, compiled once per name and columns, and the text of its n-row
   * form; undefined when its values are not all bound parameters in row order (then it cannot be repeated).
   */
  private oneRow<R extends Record<string, unknown>, O>(
    name: string,
    row: R,
    columns: string[],
    build: (q: Kysely<Tables>, rows: readonly R[]) => Compilable<O>,
  ): InsertShape | undefined {
    const key = `${name}|${columns.join(",")}`;
    if (this.shapes.has(key)) return this.shapes.get(key);
    const query = build(this.q, [row]).compile();
    const marks = columns.map((_, i) => (this.kind === "postgres" ? `$${i + 1}` : "?"));
    const tuple = `(${marks.join(", ")})`;
    const at = query.sql.indexOf(` values ${tuple}`);
    const ok =
      query.parameters.length === columns.length &&
      at >= 0 &&
      query.parameters.every((p, i) => p === row[columns[i]!]);
    const shape = ok
      ? new InsertShape(
          query,
          query.sql.slice(0, at + 8),
          query.sql.slice(at + 8 + tuple.length),
          columns.length,
          this.kind,
        )
      : undefined;
    this.shapes.set(key, shape);
    return shape;
  }

  /**
   * Inside a transaction: waits until no other transaction holds `name`, and holds it until this one
   * ends. PostgreSQL's transaction-scoped advisory lock (collectors sharing a database append to one
   * audit chain); SQLite has one writer at a time already.
   */
  async serialize(name: string): Promise<void> {
    if (!this.q.isTransaction) throw new Error(`serialize(${name}) outside a transaction holds nothing`);
    if (this.kind === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(this.q);
  }

  /** A top-level string field of a JSON text column (the expression index audit_round is built on). */
  jsonField(column: string, field: string): RawBuilder<string | null> {
    if (!/^\w+$/.test(field)) throw new Error(`jsonField: field name ${field} must be a plain word`);
    return this.kind === "sqlite"
      ? sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})`
      : sql<string | null>`(${sql.ref(column)}::jsonb ->> ${sql.lit(field)})`;
  }

  /** Whether a JSON text column holding an array of strings has `value` among them. */
  jsonArrayHas(column: string, value: string): Expression<boolean> {
    return this.kind === "sqlite"
      ? sql<boolean>`EXISTS (SELECT 1 FROM json_each(${sql.ref(column)}) WHERE value = ${value})`
      : sql<boolean>`(${sql.ref(column)}::jsonb @> jsonb_build_array(${value}::text))`;
  }

  /**
   * In an upsert's SET: the greater of the stored and the new value of `column` (SQLite's two-argument
   * max() is PostgreSQL's greatest(); CASE is both).
   */
  keepGreater(table: string, column: string): RawBuilder<number> {
    const stored = sql.ref(`${table}.${column}`);
    const incoming = sql.ref(`excluded.${column}`);
    return sql<number>`CASE WHEN ${incoming} > ${stored} THEN ${incoming} ELSE ${stored} END`;
  }

  /** Closes the pool (or the SQLite file). */
  async close(): Promise<void> {
    await this.q.destroy();
  }
}

/**
 * An INSERT compiled for one row, and its text for n rows: the VALUES tuple repeated, PostgreSQL's
 * placeholders numbered on. The texts of recent sizes are kept (building one for 1,000 rows of 8
 * columns costs about as much as sending it).
 */
class InsertShape {
  private texts = new Map<number, string>();

  constructor(
    readonly query: CompiledQuery,
    private head: string,
    private tail: string,
    private width: number,
    private kind: StoreKind,
  ) {}

  text(rows: number): string {
    let text = this.texts.get(rows);
    if (text === undefined) {
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        const marks: string[] = [];
        for (let c = 0; c < this.width; c++)
          marks.push(this.kind === "postgres" ? `$${r * this.width + c + 1}` : "?");
        tuples.push(`(${marks.join(", ")})`);
      }
      text = `${this.head}${tuples.join(", ")}${this.tail}`;
      if (this.texts.size >= 64) this.texts.clear();
      this.texts.set(rows, text);
    }
    return text;
  }
}

/** Most rows in one PostgreSQL insert; and the protocol's limit on bound parameters in one statement. */
const PG_ROWS_MAX = 1024;
const PG_PARAMS_MAX = 65535;

/** Most rows in one padded insert (insertRows' padded parts): 1024 rows of 8 columns bind 8,192 values. */
const PADDED_MAX = 1024;

/** The padded size of n rows: n up to 8, then the next power of two or 1.5 times one (at most 33 % padding). */
export function paddedSize(n: number): number {
  if (n <= 8) return n;
  let size = 8;
  while (size < n) size = size % 3 === 0 ? (size / 3) * 4 : size * 1.5;
  return Math.min(size, PADDED_MAX);
}

/** int8 (COUNT(*), BIGINT columns) as a JS number: epoch milliseconds and counts fit in 2^53. */
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** host:port/database of a postgres:// URL, without user or password, for logs and errors. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "postgresql (unparsable URL)";
  }
}

async function migratePostgres(pool: pg.Pool, where: string): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new Error(`${where}: cannot connect to PostgreSQL: ${(err as Error).message}`);
  }
  try {
    await client.query("BEGIN");
    // Two collectors starting together: the second waits here, then finds the schema current.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('watchfloor.schema'))");
    await client.query(
      "CREATE TABLE IF NOT EXISTS watchfloor_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    );
    const row = (
      await client.query<{ version: number }>("SELECT version FROM watchfloor_schema WHERE id = 1")
    ).rows[0];
    const version = row?.version ?? 0;
    if (version > MIGRATIONS.length)
      throw new Error(
        `${where}: database schema version ${version} is newer than this collector (${MIGRATIONS.length})`,
      );
    for (let v = version; v < MIGRATIONS.length; v++) await client.query(MIGRATIONS[v]!.postgres);
    await client.query(
      "INSERT INTO watchfloor_schema (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
      [MIGRATIONS.length],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The schema version a store is at (SQLite's user_version; PostgreSQL's watchfloor_schema row). */
export async function schemaVersion(db: StoreDb): Promise<number> {
  if (db.sqlite) return db.sqlite.pragma("user_version", { simple: true }) as number;
  const { rows } = await sql<{ version: number }>`SELECT version FROM watchfloor_schema WHERE id = 1`.execute(
    db.q,
  );
  return rows[0]?.version ?? 0;
}

/**
 * better-sqlite3 for Kysely, with each statement prepared once: Kysely asks to prepare every query it
 * runs, and preparing costs more than running the small statements the ingest path is made of.
 */
function cachedStatements(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(text: string): SqliteStatement {
      if (text === "rollback") return rollbackIfOpen(db);
      let stmt = cache.get(text);
      if (!stmt) {
        // Multi-row inserts make many shapes; a bound keeps the cache from growing with them.
        if (cache.size >= 500) cache.clear();
        stmt = db.prepare(text) as unknown as SqliteStatement;
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/**
 * Kysely's ROLLBACK after a failed transaction. On SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM (and a
 * failed COMMIT) SQLite has already rolled the transaction back itself; a ROLLBACK then fails with
 * "cannot rollback - no transaction is active", and Kysely throws that instead of the error that
 * matters (a full disk would answer 500 about a rollback). So it runs only while a transaction is open.
 */
function rollbackIfOpen(db: Database.Database): SqliteStatement {
  return {
    reader: false,
    all: () => [],
    iterate: () => [][Symbol.iterator](),
    run: () => {
      if (db.inTransaction) db.prepare("rollback").run();
      return { changes: 0, lastInsertRowid: 0 };
    },
  } as unknown as SqliteStatement;
}

/** Rows sorted by a text column in code-point order: SQLite and PostgreSQL collate text differently. */
export function byText<T>(rows: T[], key: (r: T) => string): T[] {
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
