import { parseArgs } from "node:util";
import { verifyAuditChain } from "../collector/domain/index.ts";
import { openStoreFromConfig } from "./collector-store.ts";

const USAGE = "usage: watchfloor audit verify --config FILE [--expect-head [SEQ:]HASH]\n";

/** A head recorded elsewhere: its hash (at least 12 hex digits; a prefix will do) and maybe its seq. */
function parseExpectedHead(text: string): { seq?: number; hash: string } | undefined {
  const m = /^(?:#?(\d+):)?([0-9a-f]{12,64})$/i.exec(text.trim());
  return m ? { ...(m[1] ? { seq: Number(m[1]) } : {}), hash: m[2]!.toLowerCase() } : undefined;
}

/**
 * watchfloor audit verify --config FILE [--expect-head HASH]: "ok" and exit 0, or the first broken
 * link and exit 1. The head row lives in the same file as the entries, so cutting entries off the end
 * together with it leaves a consistent chain; --expect-head names a head recorded elsewhere (a KPI
 * report, the watchfloor_audit_head_info metric), which must still be an entry of the trail.
 */
export async function runAudit(args: string[]): Promise<number> {
  let parsed: { values: { config?: string; "expect-head"?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: "string" }, "expect-head": { type: "string" } },
    });
  } catch (err) {
    process.stderr.write(`watchfloor audit: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals[0] !== "verify" || parsed.positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const expectText = parsed.values["expect-head"];
  const expected = expectText === undefined ? undefined : parseExpectedHead(expectText);
  if (expectText !== undefined && !expected) {
    process.stderr.write(
      `watchfloor audit verify: --expect-head ${expectText}: expected a head hash (12 to 64 hex digits), optionally SEQ:HASH\n`,
    );
    return 2;
  }
  const store = await openStoreFromConfig(parsed.values.config, "audit verify");
  if (!store) return 2;
  const entries = await store.audit();
  const head = await store.auditHead();
  await store.close();
  // The recorded head also catches entries cut off the end, which the chain alone cannot see.
  const verdict = verifyAuditChain(entries, head);
  if (!verdict.ok) {
    process.stdout.write(`BROKEN at entry ${verdict.seq}: ${verdict.reason}\n`);
    return 1;
  }
  const last = entries.at(-1);
  let anchored = "";
  if (expected) {
    const found = entries.find((e) => e.hash.startsWith(expected.hash) && (expected.seq === undefined || e.seq === expected.seq));
    if (!found) {
      process.stdout.write(
        `BROKEN: the head recorded elsewhere (${expectText}) is not in the trail, which now ends at ` +
          `#${last?.seq ?? 0} ${last?.hash ?? "(empty)"}: entries were cut off the end (with the head row) or the trail was rewritten\n`,
      );
      return 1;
    }
    anchored = `; the recorded head is entry #${found.seq}${found.seq === last?.seq ? " (the head)" : `, ${last!.seq - found.seq} entries after it`}`;
  }
  process.stdout.write(
    `ok: ${verdict.count} audit entries, hash chain intact; head ${head?.hash ?? last?.hash ?? "(empty)"}${anchored}\n`,
  );
  return 0;
}
