import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  backupStore,
  checkStoreFile,
  restoreStore,
  type StoreSummary,
  StoreFileError,
} from "../collector/store/backup.ts";
import { checkStore, damagedStoreAdvice } from "../collector/store/health.ts";
import { storeFileFromConfig } from "./collector-store.ts";

const USAGE = `usage: watchfloor store backup --config FILE --out PATH    online backup while the collector runs
       watchfloor store restore --config FILE --from PATH  put a backup in place (collector stopped)
       watchfloor store check PATH                         check a backup (integrity, audit chain)
       watchfloor store check --config FILE                check the live store: SQLite quick_check and integrity_check
`;

const describe = (s: StoreSummary) =>
  `${s.file}: ok (${s.bytes} bytes, schema version ${s.schemaVersion}, ${s.faults} fault(s), ` +
  `${s.auditEntries} audit entries, hash chain intact; head ${s.auditHead ?? "(empty)"})\n`;

/** watchfloor store backup | restore | check: exit 0, 1 when the file or store is refused, 2 on usage. */
export async function runStore(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`watchfloor store: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  try {
    if (verb === "backup" && rest.length === 0 && values.out) {
      const dbFile = storeFileFromConfig(values.config, "store backup");
      if (!dbFile) return 2;
      process.stdout.write(describe(await backupStore(dbFile, values.out)));
      return 0;
    }
    if (verb === "restore" && rest.length === 0 && values.from) {
      const dbFile = storeFileFromConfig(values.config, "store restore");
      if (!dbFile) return 2;
      const { restored, keptAs } = await restoreStore(values.from, dbFile, new Date());
      process.stdout.write(describe(restored));
      process.stderr.write(
        `restored from ${values.from}${keptAs ? `; the store it replaced is kept as ${keptAs}` : ""}\n`,
      );
      return 0;
    }
    if (verb === "check" && rest.length === 0 && values.config) {
      const dbFile = storeFileFromConfig(values.config, "store check");
      if (!dbFile) return 2;
      return checkLiveStore(dbFile, values.config);
    }
    if (verb === "check" && rest.length === 1) {
      process.stdout.write(describe(await checkStoreFile(rest[0]!)));
      return 0;
    }
  } catch (err) {
    if (!(err instanceof StoreFileError)) throw err;
    process.stderr.write(`watchfloor store ${verb}: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(USAGE);
  return 2;
}

/** The live store's SQLite checks, printed whatever they find; exit 1 when the file is damaged. */
function checkLiveStore(dbFile: string, configFile: string): number {
  if (!existsSync(dbFile)) {
    process.stderr.write(`watchfloor store check: ${dbFile}: no such file (the collector has not run yet?)\n`);
    return 1;
  }
  const check = checkStore(dbFile, { full: true });
  if (check.unchecked) {
    // Not "DAMAGED": restoring a backup over a sound file on a full disk would throw data away.
    process.stdout.write(`${dbFile}: NOT CHECKED\n  ${check.unchecked}\n`);
    return 1;
  }
  const rows = (name: string, found: string[]) => found.map((f) => `  ${name}: ${f}\n`).join("");
  process.stdout.write(
    `${dbFile}: ${check.ok ? "ok" : "DAMAGED"}\n${rows("quick_check", check.quick)}${rows("integrity_check", check.integrity)}`,
  );
  if (!check.ok) process.stdout.write(`${damagedStoreAdvice(configFile)}\n`);
  return check.ok ? 0 : 1;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: "string" }, out: { type: "string" }, from: { type: "string" } },
  });
}
