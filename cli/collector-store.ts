import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { collectorDatabasePath, openCollectorStore } from "../collector/store/open.ts";
import type { CollectorStore } from "../collector/store/store.ts";
import { rawMapping } from "../common/config/load.ts";
import { storeSchema } from "../common/config/schema.ts";

/**
 * The collector section of a site config, read for the admin commands: only dataDir and store are
 * taken, so they need no agent token or paging secret (check-config validates the rest). Undefined
 * after printing why not.
 */
function storeConfigFrom(file: string | undefined, command: string) {
  if (!file) {
    process.stderr.write(`watchfloor ${command}: --config FILE is required (the collector's site config)\n`);
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(
      `${file}: ${e.code ? `cannot read file (${e.code})` : `YAML syntax: ${e.message.split("\n")[0]}`}\n`,
    );
    return undefined;
  }
  const root = rawMapping(doc);
  if (root.collector === undefined) {
    process.stderr.write(
      `${file}: collector: the collector section is required (its dataDir names the store)\n`,
    );
    return undefined;
  }
  const collector = rawMapping(root.collector);
  const dataDir = collector.dataDir ?? "var/collector";
  if (typeof dataDir !== "string") {
    process.stderr.write(`${file}: collector.dataDir: expected a folder path\n`);
    return undefined;
  }
  const store = storeSchema.safeParse(collector.store);
  if (!store.success) {
    for (const i of store.error.issues)
      process.stderr.write(`${file}: collector.store${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}\n`);
    return undefined;
  }
  return { dataDir, store: store.data };
}

/**
 * The collector's SQLite file named by a site config (collector.dataDir, relative to the working
 * directory as the collector takes it); undefined after printing why not (also for a PostgreSQL store,
 * which these file commands do not handle: pg_dump and pg_restore do).
 */
export function storeFileFromConfig(file: string | undefined, command: string): string | undefined {
  const cfg = storeConfigFrom(file, command);
  if (!cfg) return undefined;
  if (cfg.store.kind !== "sqlite") {
    process.stderr.write(
      `watchfloor ${command}: collector.store is PostgreSQL; back it up and check it with PostgreSQL's own tools (pg_dump, pg_restore, pg_amcheck)\n`,
    );
    return undefined;
  }
  return collectorDatabasePath(cfg.dataDir);
}

/** Opens the collector's store (SQLite or PostgreSQL) named by a site config; undefined after printing why not. */
export async function openStoreFromConfig(file: string | undefined, command: string): Promise<CollectorStore | undefined> {
  const cfg = storeConfigFrom(file, command);
  if (!cfg) return undefined;
  try {
    return await openCollectorStore(cfg);
  } catch (err) {
    process.stderr.write(`watchfloor ${command}: ${(err as Error).message}\n`);
    return undefined;
  }
}
