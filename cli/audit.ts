import { parseArgs } from "node:util";
import { verifyAuditChain } from "../collector/domain/index.ts";
import { openStoreFromConfig } from "./collector-store.ts";

/** watchfloor audit verify --config FILE: "ok" and exit 0, or the first broken link and exit 1. */
export async function runAudit(args: string[]): Promise<number> {
  let parsed: { values: { config?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { config: { type: "string" } } });
  } catch (err) {
    process.stderr.write(`watchfloor audit: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.positionals[0] !== "verify" || parsed.positionals.length !== 1) {
    process.stderr.write("usage: watchfloor audit verify --config FILE\n");
    return 2;
  }
  const store = openStoreFromConfig(parsed.values.config, "audit verify");
  if (!store) return 2;
  const entries = store.audit();
  const head = store.auditHead();
  store.db.close();
  const verdict = verifyAuditChain(entries);
  const last = entries.at(-1);
  if (verdict.ok && head && (last?.seq !== head.seq || last.hash !== head.hash)) {
    process.stdout.write(
      `BROKEN at entry ${Math.min(last?.seq ?? 0, head.seq) + 1}: the trail ends at entry ${last?.seq ?? 0} but entry ${head.seq} (${head.hash.slice(0, 16)}…) was written; entries were removed from the end\n`,
    );
    return 1;
  }
  if (verdict.ok) {
    process.stdout.write(`ok: ${verdict.count} audit entries, hash chain intact; head ${last?.hash ?? "(empty)"}\n`);
    return 0;
  }
  process.stdout.write(`BROKEN at entry ${verdict.seq}: ${verdict.reason}\n`);
  return 1;
}
