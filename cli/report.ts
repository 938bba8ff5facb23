/**
 * watchfloor report verify FILE --config SITE: checks a KPI report (HTML, CSV or PDF) against the
 * collector's record. The report's stamp names the audit chain head it was made from: the chain must be
 * intact and hold exactly that entry; when nothing was recorded since, the figures are recomputed from
 * the record and must be equal. Exit 0 when the report is the record's, 1 when not, 2 on bad usage.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatConfigError } from "../common/config/load.ts";
import { kpiFor, parseInstant, parsePeriod, verifyAuditChain } from "../collector/domain/index.ts";
import { findStamp } from "../collector/report/stamp.ts";
import { loadCollectorSite } from "../collector/site.ts";
import { openCollectorStore } from "../collector/store/open.ts";
import { ENV_STAND_IN, withEnvStandIns } from "./env-references.ts";

const USAGE = "usage: watchfloor report verify FILE --config FILE\n";

export async function runReport(args: string[]): Promise<number> {
  let parsed: { values: { config?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { config: { type: "string" } } });
  } catch (err) {
    process.stderr.write(`watchfloor report: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [verb, file, ...extra] = parsed.positionals;
  if (verb !== "verify" || !file || extra.length > 0 || !parsed.values.config) {
    process.stderr.write(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, "latin1");
  } catch (err) {
    process.stderr.write(`watchfloor report verify: ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const stamp = findStamp(text);
  if (!stamp) {
    process.stdout.write(`NOT A REPORT: ${file} carries no watchfloor-report stamp\n`);
    return 1;
  }
  // The policy and time zone are read; the agent token and paging secrets are not needed (stand-ins),
  // the store's URL is.
  const config = parsed.values.config;
  const { site, errors } = withEnvStandIns(config, () => loadCollectorSite(config)).value;
  if (!site) {
    for (const e of errors) process.stderr.write(`${formatConfigError(e)}\n`);
    return 2;
  }
  const storeConfig = site.config.collector.store;
  if (storeConfig.kind === "postgres" && storeConfig.url.reveal() === ENV_STAND_IN) {
    process.stderr.write(`${config}: collector.store.url: its environment variable is not set in this shell\n`);
    return 2;
  }
  const store = await openCollectorStore(site.config.collector);
  try {
    const entries = await store.audit();
    const head = await store.auditHead();
    const chain = verifyAuditChain(entries, head);
    if (!chain.ok) {
      process.stdout.write(`BROKEN RECORD: the audit chain fails at entry ${chain.seq}: ${chain.reason}\n`);
      return 1;
    }
    const at = entries.find((e) => e.seq === stamp.seq);
    const madeFrom = stamp.seq === 0 ? stamp.head === "none" : at?.hash === stamp.head;
    if (!madeFrom) {
      process.stdout.write(
        `MISMATCH: the report names audit entry ${stamp.seq} with hash ${stamp.head}; the record's entry ${stamp.seq} is ${at?.hash ?? "absent"}\n`,
      );
      return 1;
    }
    process.stdout.write(`ok: ${stamp.period} report made at audit entry ${stamp.seq}; the chain is intact and holds it\n`);
    const newer = (head?.seq ?? 0) - stamp.seq;
    if (newer > 0) {
      process.stdout.write(`note: ${newer} entries were recorded after the report; its figures are as of ${stamp.generatedAt}\n`);
      return 0;
    }
    const period = parsePeriod(stamp.period, site.policy.timezone);
    const generatedAt = parseInstant(stamp.generatedAt);
    if (!("start" in period) || generatedAt === undefined) {
      process.stdout.write(`MISMATCH: the stamp's period or time does not parse (${stamp.period}, ${stamp.generatedAt})\n`);
      return 1;
    }
    // The engine holds the faults not archived; the archived ones of the period are rows.
    const faults = [...(await store.loadEngine()).faults(), ...(await store.faultRows.archived(period))];
    const k = kpiFor(period, faults, site.policy, generatedAt);
    const record = { total: k.total, met: k.met, breached: k.breached, exempted: k.exempted, planned: k.planned, pending: k.pending };
    const differs = Object.entries(record).filter(([key, v]) => stamp.figures[key as keyof typeof record] !== v);
    if (differs.length > 0 || k.timeliness !== stamp.timeliness || k.deductionCny !== stamp.deduction) {
      const shown = differs.map(([key, v]) => `${key} ${stamp.figures[key as keyof typeof record]} (record: ${v})`);
      process.stdout.write(`MISMATCH: figures differ from the record: ${shown.join(", ") || "timeliness or deduction"}\n`);
      return 1;
    }
    process.stdout.write(
      `ok: figures equal the record: total ${k.total}, met ${k.met}, breached ${k.breached}, exempted ${k.exempted}, planned ${k.planned}, pending ${k.pending}, deduction ${k.deductionCny}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
