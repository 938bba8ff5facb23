import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { collectorDatabasePath } from "../collector/cli.ts";
import { openDatabase } from "../collector/store/db.ts";
import { CollectorStore } from "../collector/store/store.ts";
import { rawMapping } from "../common/config/load.ts";

/**
 * The collector's store file named by a site config (collector.dataDir, relative to the working
 * directory as the collector takes it). Only that key is read: the store commands need no agent
 * token or paging secret, so they work where those environment variables are unset (check-config
 * validates the rest). Undefined after printing why not.
 */
export function storeFileFromConfig(file: string | undefined, command: string): string | undefined {
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
  const dataDir = rawMapping(root.collector).dataDir ?? "var/collector";
  if (typeof dataDir !== "string") {
    process.stderr.write(`${file}: collector.dataDir: expected a folder path\n`);
    return undefined;
  }
  return collectorDatabasePath(dataDir);
}

/** Opens the collector's store named by a site config, for the admin commands; undefined after printing why not. */
export function openStoreFromConfig(file: string | undefined, command: string): CollectorStore | undefined {
  const dbFile = storeFileFromConfig(file, command);
  return dbFile ? new CollectorStore(openDatabase(dbFile)) : undefined;
}
