import { formatConfigError } from "../common/config/load.ts";
import { collectorDatabasePath } from "../collector/cli.ts";
import { loadCollectorSite } from "../collector/site.ts";
import { openDatabase } from "../collector/store/db.ts";
import { CollectorStore } from "../collector/store/store.ts";

/** Opens the collector's store named by a site config, for the admin commands; undefined after printing why not. */
export function openStoreFromConfig(file: string | undefined, command: string): CollectorStore | undefined {
  if (!file) {
    process.stderr.write(`watchfloor ${command}: --config FILE is required (the collector's site config)\n`);
    return undefined;
  }
  const { site, errors } = loadCollectorSite(file);
  if (!site) {
    for (const e of errors) process.stderr.write(`${formatConfigError(e)}\n`);
    return undefined;
  }
  return new CollectorStore(openDatabase(collectorDatabasePath(site.config.collector.dataDir)));
}
