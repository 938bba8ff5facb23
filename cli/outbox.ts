import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { Outbox } from "../agent/outbox/outbox.ts";
import { rawMapping } from "../common/config/load.ts";

const USAGE = `usage: watchfloor outbox rejected --config FILE [--json]
       watchfloor outbox retry --config FILE (--all | ID...)
  The agent's outbox (agent.dataDir/outbox.db). Events the collectors refused (malformed, too large) or
  kept failing on are set aside in it, never deleted: "rejected" lists them with the reason; "retry" puts
  them back in the queue, and the running agent sends them with its next batch (the collector drops an
  id it already has). Safe while the agent runs.
`;

/** agent.dataDir of a site config (relative to the working directory, as the agent takes it). */
function outboxFile(file: string): string | undefined {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`${file}: ${e.code ? `cannot read file (${e.code})` : `YAML syntax: ${e.message.split("\n")[0]}`}\n`);
    return undefined;
  }
  const root = rawMapping(doc);
  if (root.agent === undefined) {
    process.stderr.write(`${file}: agent: the agent section is required (its dataDir holds the outbox)\n`);
    return undefined;
  }
  const dataDir = rawMapping(root.agent).dataDir ?? "var/agent";
  if (typeof dataDir !== "string") {
    process.stderr.write(`${file}: agent.dataDir: expected a folder path\n`);
    return undefined;
  }
  const path = resolve(dataDir, "outbox.db");
  if (!existsSync(path)) {
    process.stderr.write(`${path}: no outbox here (agent.dataDir of ${file}; has this agent run from this directory?)\n`);
    return undefined;
  }
  return path;
}

/** What an event is about, in one line. */
function summary(e: { type: string; [k: string]: unknown }): string {
  if (e.type === "condition") {
    const labels = Object.entries((e.labels as Record<string, string>) ?? {})
      .map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 40)}…` : v}`)
      .join(",");
    return `${e.device} ${e.condition}${labels ? `{${labels}}` : ""} ${e.state} observed ${e.observedAt}`;
  }
  return `${e.type} ${String(e.at ?? "")}`;
}

export async function runOutbox(args: string[]): Promise<number> {
  let parsed: { values: { config?: string; json?: boolean; all?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: "string" }, json: { type: "boolean" }, all: { type: "boolean" } },
    });
  } catch (err) {
    process.stderr.write(`watchfloor outbox: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [sub, ...ids] = parsed.positionals;
  if ((sub !== "rejected" && sub !== "retry") || !parsed.values.config) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (sub === "rejected" && ids.length > 0) {
    process.stderr.write(`watchfloor outbox rejected: takes no ids\n${USAGE}`);
    return 2;
  }
  if (sub === "retry" && (parsed.values.all ? ids.length > 0 : ids.length === 0)) {
    process.stderr.write(`watchfloor outbox retry: give --all or the ids to retry, not both\n${USAGE}`);
    return 2;
  }
  const file = outboxFile(parsed.values.config);
  if (!file) return 2;
  const outbox = new Outbox(file);
  try {
    if (sub === "rejected") {
      const rows = outbox.rejectedEvents();
      if (parsed.values.json) {
        process.stdout.write(`${JSON.stringify({ rejected: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) })}\n`);
        return 0;
      }
      if (rows.length === 0) {
        process.stdout.write(`no event is set aside (${file})\n`);
        return 0;
      }
      for (const r of rows)
        process.stdout.write(`${r.id}  ${new Date(r.at).toISOString()}  ${r.reason}\n    ${summary(r.event)}\n`);
      process.stdout.write(`${rows.length} event(s) set aside; watchfloor outbox retry --config ${parsed.values.config} --all puts them back in the queue\n`);
      return 0;
    }
    const moved = outbox.requeue(parsed.values.all ? undefined : ids);
    const missing = ids.filter((id) => !moved.includes(id));
    for (const id of missing) process.stderr.write(`${id}: not set aside in ${file}\n`);
    process.stdout.write(`${moved.length} event(s) back in the queue; the agent sends them with its next batch\n`);
    return missing.length > 0 ? 1 : 0;
  } finally {
    outbox.close();
  }
}
