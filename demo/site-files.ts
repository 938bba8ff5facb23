import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { DEMO_PORTS, type DemoPorts } from "./ports.ts";

/** Moves every 127.0.0.1:<default port> of the demo's files to the port in use. */
function withPorts(text: string, ports: DemoPorts): string {
  let out = text;
  for (const p of DEMO_PORTS)
    out = out.replace(new RegExp(`127\\.0\\.0\\.1:${p.port}(?!\\d)`, "g"), `127.0.0.1:${ports[p.key]}`);
  return out;
}

/** YYYY-MM of `at` in Asia/Shanghai, and of the month after. */
function thisAndNextMonth(at: Date): [string, string] {
  const ym = (d: Date) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" })
      .format(d)
      .slice(0, 7);
  const now = ym(at);
  const [y, m] = now.split("-").map(Number) as [number, number];
  return [now, m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`];
}

/**
 * The demo runs config/site.example.yaml and the notifications file it names, written to `dir` with
 * the ports in use, the folders they name made absolute, and the roster's duty (the first month's)
 * set for this month and the next, so the demo always has someone on call. The collector reads
 * runbooks (应急预案) from `runbooks/` beside the site file: the demo links `dir/runbooks` to the
 * example's folder (a link, so an edited runbook shows at once), else the demo had none.
 */
export function writeDemoSite(siteFile: string, dir: string, ports: DemoPorts, now: Date): string {
  mkdirSync(dir, { recursive: true });
  const site = parseDocument(withPorts(readFileSync(siteFile, "utf8"), ports));
  const from = dirname(siteFile);
  const absolute = (path: string[]) => {
    const v = site.getIn(path);
    if (typeof v === "string") site.setIn(path, resolve(from, v));
  };
  if (site.getIn(["agent", "profilesDir"]) === undefined) site.setIn(["agent", "profilesDir"], "profiles");
  absolute(["agent", "profilesDir"]);
  absolute(["collector", "policy"]);
  absolute(["collector", "inspections"]);
  const notificationsFile = site.getIn(["collector", "notifications"]);
  if (typeof notificationsFile === "string") {
    const notifications = parseDocument(
      withPorts(readFileSync(resolve(from, notificationsFile), "utf8"), ports),
    );
    const months = notifications.getIn(["roster", "months"]) as
      | { toJSON(): Array<{ duty: unknown }> }
      | undefined;
    const duty = months?.toJSON()[0]?.duty;
    if (duty)
      notifications.setIn(
        ["roster", "months"],
        thisAndNextMonth(now).map((month) => ({ month, duty })),
      );
    const target = join(dir, "notifications.yaml");
    writeFileSync(target, notifications.toString());
    site.setIn(["collector", "notifications"], target);
  }
  const runbooks = resolve(from, "runbooks");
  if (existsSync(runbooks)) {
    rmSync(join(dir, "runbooks"), { recursive: true, force: true });
    symlinkSync(runbooks, join(dir, "runbooks"), "dir");
  }
  const target = join(dir, "site.yaml");
  writeFileSync(
    target,
    `# Written by the demo from ${siteFile}; edit that file, not this one.\n${site.toString()}`,
  );
  return target;
}
