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
  // The recorded head also catches entries cut off the end, which the chain alone cannot see.
  const verdict = verifyAuditChain(entries, head);
  if (verdict.ok) {
    process.stdout.write(`ok: ${verdict.count} audit entries, hash chain intact; head ${head?.hash ?? "(empty)"}\n`);
    return 0;
  }
  process.stdout.write(`BROKEN at entry ${verdict.seq}: ${verdict.reason}\n`);
  return 1;
}
