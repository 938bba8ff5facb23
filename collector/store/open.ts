import { resolve } from "node:path";
import type { StoreConfig } from "../../common/config/schema.ts";
import { CollectorStore } from "./store.ts";
import { StoreDb } from "./store-db.ts";

/** The SQLite store's file: collector.db in collector.dataDir. */
export function collectorDatabasePath(dataDir: string): string {
  return resolve(dataDir, "collector.db");
}

/**
 * Opens the store collector.store names (migrating its schema): the SQLite file in dataDir by default,
 * or PostgreSQL. Throws when PostgreSQL cannot be reached; the message names host, port and database,
 * never the password.
 */
export async function openCollectorStore(cfg: {
  dataDir: string;
  store: StoreConfig;
}): Promise<CollectorStore> {
  if (cfg.store.kind === "postgres")
    return new CollectorStore(
      await StoreDb.postgres(cfg.store.url.reveal(), { poolSize: cfg.store.poolSize }),
    );
  return new CollectorStore(StoreDb.sqlite(collectorDatabasePath(cfg.dataDir)));
}
