/**
 * The schema, one version at a time, for both stores. Version N means the same tables and columns in
 * SQLite and in PostgreSQL (test/collector/store-contract.test.ts compares them), so one set of
 * queries (Kysely, collector/store/schema.ts) serves both. Each version is written once, in the SQLite
 * text earlier releases applied (a store they wrote migrates from its `user_version`); postgresOf()
 * turns it into PostgreSQL's: BIGINT for SQLite's 64-bit INTEGER (epoch milliseconds), an identity
 * column for INTEGER PRIMARY KEY, DOUBLE PRECISION and BYTEA, and an explicit `rowid` column in the
 * tables whose queries order by SQLite's implicit one. What cannot be translated word for word is
 * written out in POSTGRES_TEXT.
 *
 * A new version appends one entry; nothing already released is ever edited.
 */
export interface Migration {
  sqlite: string;
  postgres: string;
}

/** Tables whose insertion order queries read (ORDER BY rowid). */
const ORDERED_TABLES = ["faults", "engine_manual", "engine_windows"];

const SQLITE: string[] = [
  `CREATE TABLE events (
     id TEXT PRIMARY KEY,
     agent TEXT NOT NULL,
     type TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE TABLE engine_state (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE faults (
     id TEXT PRIMARY KEY,
     device TEXT NOT NULL,
     condition TEXT NOT NULL,
     class TEXT NOT NULL,
     status TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX faults_opened ON faults (opened_at);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     fault_id TEXT,
     window_id TEXT,
     detail TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_fault ON audit (fault_id);
   CREATE TABLE users (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE agents (
     id TEXT PRIMARY KEY,
     last_seen INTEGER NOT NULL,
     interval_seconds REAL NOT NULL,
     down INTEGER NOT NULL DEFAULT 0
   );`,
  // The newest audit entry, written in the same transaction as the entry: cutting entries off the end
  // of the chain then shows as a head that no longer matches.
  `CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);`,
  // Paging (collector/paging/queue.ts): escalation steps taken per fault, and the durable send queue.
  `CREATE TABLE page_progress (
     fault_id TEXT NOT NULL,
     step_key TEXT NOT NULL,
     outcome TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (fault_id, step_key)
   );
   CREATE TABLE page_deliveries (
     id INTEGER PRIMARY KEY,
     dedupe_key TEXT NOT NULL UNIQUE,
     person TEXT NOT NULL,
     kind TEXT NOT NULL,
     fault_ids TEXT NOT NULL,
     message TEXT NOT NULL,
     channels TEXT NOT NULL,
     channel_index INTEGER NOT NULL,
     attempts INTEGER NOT NULL,
     status TEXT NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     sent_at INTEGER,
     sent_channel TEXT,
     last_error TEXT,
     history TEXT NOT NULL
   );
   CREATE INDEX page_deliveries_due ON page_deliveries (status, next_attempt_at);`,
  // Web UI (collector/store/accounts.ts): password login beside tokens, and users an admin disabled.
  `ALTER TABLE users ADD COLUMN password_hash TEXT;
   ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;`,
  // Web UI sessions, kept here so a collector restart logs nobody out; the cookie holds the id, this its hash.
  `CREATE TABLE ui_sessions (
     id_hash TEXT PRIMARY KEY,
     user_name TEXT NOT NULL,
     csrf_secret TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX ui_sessions_user ON ui_sessions (user_name);`,
  // Inspections (collector/inspections/store.ts): rounds (created once per template + firing, by
  // their key), schedule cursors, photos by their sha256, hazards, and the client ids of requests
  // already applied (a resend from a phone's offline queue answers the first result).
  `CREATE TABLE inspection_rounds (
     id TEXT PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     template_id TEXT NOT NULL,
     fired_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX inspection_rounds_fired ON inspection_rounds (fired_at);
   CREATE INDEX inspection_rounds_open ON inspection_rounds (status, due_at);
   CREATE TABLE inspection_cursors (template_id TEXT PRIMARY KEY, cursor INTEGER NOT NULL);
   CREATE TABLE inspection_overdue (round_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
   CREATE TABLE inspection_photos (
     sha256 TEXT PRIMARY KEY,
     mime TEXT NOT NULL,
     bytes BLOB NOT NULL,
     uploaded_by TEXT NOT NULL,
     uploaded_at INTEGER NOT NULL
   );
   CREATE TABLE inspection_requests (
     client_id TEXT PRIMARY KEY,
     actor TEXT NOT NULL,
     at INTEGER NOT NULL,
     status INTEGER NOT NULL,
     response TEXT NOT NULL
   );
   CREATE TABLE hazards (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     reported_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );`,
  // The fault engine as rows (collector/store/engine-rows.ts) instead of one engine_state row rewritten
  // per event: its log appended, faults rewritten when they change, what the archive drops deleted.
  `CREATE TABLE engine_events (
     event_id TEXT PRIMARY KEY,
     key TEXT NOT NULL,
     device TEXT NOT NULL,
     condition TEXT NOT NULL,
     labels TEXT NOT NULL,
     at INTEGER NOT NULL,
     state TEXT NOT NULL,
     class_hint TEXT,
     title TEXT
   );
   CREATE TABLE engine_actions (seq INTEGER PRIMARY KEY, home_key TEXT NOT NULL, body TEXT NOT NULL);
   CREATE TABLE engine_manual (fault_id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE engine_windows (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE engine_anchors (fault_id TEXT PRIMARY KEY, key TEXT NOT NULL, event_id TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE engine_aliases (fault_id TEXT PRIMARY KEY, into_id TEXT NOT NULL);
   CREATE TABLE engine_key_cuts (
     key TEXT PRIMARY KEY,
     device TEXT NOT NULL,
     condition TEXT NOT NULL,
     labels TEXT NOT NULL,
     horizon INTEGER NOT NULL,
     class_hint TEXT
   );
   CREATE TABLE engine_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   ALTER TABLE faults ADD COLUMN archived_at INTEGER;
   CREATE INDEX events_received ON events (type, received_at);`,
  // Evidence files for exemption requests (collector/store/evidence.ts), kept with their sha256.
  `CREATE TABLE evidence_files (
     id INTEGER PRIMARY KEY,
     fault_id TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     size INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     body BLOB NOT NULL,
     uploaded_by TEXT NOT NULL,
     uploaded_at INTEGER NOT NULL
   );
   CREATE INDEX evidence_files_fault ON evidence_files (fault_id);`,
  // A round's audit timeline by its id, without reading the whole trail (inspections/store.ts); the
  // expression is the one StoreDb.jsonField writes, so the index serves that query.
  `CREATE INDEX audit_round ON audit (json_extract(detail, '$.round')) WHERE json_extract(detail, '$.round') IS NOT NULL;`,
  // Active/standby collectors on one store (collector/cluster/lease-store.ts): the lease, one row judged
  // by a conditional UPDATE, and each node process's heartbeat row for `watchfloor cluster status`.
  `CREATE TABLE cluster_lease (
     name TEXT PRIMARY KEY,
     holder_node TEXT,
     holder_instance TEXT,
     epoch INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   INSERT INTO cluster_lease (name, holder_node, holder_instance, epoch, expires_at) VALUES ('collector', NULL, NULL, 0, 0);
   CREATE TABLE cluster_nodes (
     node TEXT NOT NULL,
     instance TEXT NOT NULL,
     address TEXT NOT NULL,
     role TEXT NOT NULL,
     last_heartbeat INTEGER NOT NULL,
     lease_expires_at INTEGER,
     epoch INTEGER,
     PRIMARY KEY (node, instance)
   );`,
  // The faults not archived, which a start loads (engine-rows.ts), found without reading the archive:
  // a store that grows for years starts as fast as a new one.
  `CREATE INDEX faults_live ON faults (archived_at) WHERE archived_at IS NULL;`,
  // Paging (collector/paging/queue.ts): a page about many faults stores their ids once, here, under a
  // short id that its acknowledge link and audit entries name; with each fault's reopen count when
  // paged, so a link only acknowledges the occurrence it was sent about.
  `CREATE TABLE page_groups (
     id TEXT PRIMARY KEY,
     step_key TEXT NOT NULL,
     fault_ids TEXT NOT NULL,
     episodes TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
];

/** Versions whose PostgreSQL text is not a word-for-word translation (by index). */
const POSTGRES_TEXT: Record<number, string> = {
  // The expression StoreDb.jsonField writes, so the index serves that query.
  8: `CREATE INDEX audit_round ON audit ((detail::jsonb ->> 'round')) WHERE (detail::jsonb ->> 'round') IS NOT NULL;`,
};

export function postgresOf(sqliteText: string): string {
  let text = sqliteText
    .replace(/\bINTEGER PRIMARY KEY\b/g, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
    .replace(/\bINTEGER\b/g, "BIGINT")
    .replace(/\bREAL\b/g, "DOUBLE PRECISION")
    .replace(/\bBLOB\b/g, "BYTEA");
  for (const t of ORDERED_TABLES)
    text = text.replace(
      `CREATE TABLE ${t} (`,
      `CREATE TABLE ${t} (rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE, `,
    );
  return text;
}

export const MIGRATIONS: Migration[] = SQLITE.map((sqlite, v) => ({
  sqlite,
  postgres: POSTGRES_TEXT[v] ?? postgresOf(sqlite),
}));
