import { spawnSync } from "node:child_process";
import { commandsMissing } from "../harness/peer-gate.ts";

export function promtoolMissing(): string | undefined {
  return commandsMissing(["promtool"], "prometheus");
}

/** Debian's promtool judges an exposition against the Prometheus exposition rules. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const res = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}
