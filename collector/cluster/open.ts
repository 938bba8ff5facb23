import type { CollectorConfig } from "../../common/config/schema.ts";
import { StoreDb } from "../store/store-db.ts";
import { SqlLeaseStore } from "./lease-store.ts";

/**
 * The lease store of a collector with collector.ha, on a connection pool of its own (two connections):
 * a storm that keeps the store's pool busy must not delay the active's renewal until it steps down.
 */
export async function openLeaseStore(config: CollectorConfig): Promise<{ store: SqlLeaseStore; close: () => Promise<void> }> {
  if (config.store.kind !== "postgres") throw new Error("collector.ha needs collector.store kind: postgres");
  const db = await StoreDb.postgres(config.store.url.reveal(), { poolSize: 2 });
  return { store: new SqlLeaseStore(db.q, "postgres"), close: () => db.close() };
}
