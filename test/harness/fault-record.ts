import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Floor } from "./floor.ts";
import { ROOT } from "./process.ts";

let eventSeq = 0;

/** Sends condition changes to the floor's collector as its agent would (POST /api/v1/events). */
export async function sendConditions(
  floor: Floor,
  changes: Array<{
    device: string;
    condition: string;
    state: "firing" | "clear";
    at: Date;
  }>,
): Promise<void> {
  const events = changes.map((c) => ({
    id: `record-test-${process.pid}-${++eventSeq}`,
    type: "condition",
    device: c.device,
    condition: c.condition,
    state: c.state,
    observedAt: c.at.toISOString(),
  }));
  const res = await floor.api(
    "/api/v1/events",
    { method: "POST", body: JSON.stringify({ agent: "agent-test", events }) },
    floor.env.WATCHFLOOR_AGENT_TOKEN,
  );
  if (res.status !== 200) throw new Error(`events refused: ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * Every fault the collector has, as the API shows it, sorted by id, without the one field that moves
 * with the clock (seconds_left): two reads of the same store compare equal.
 */
export async function faultRecord(floor: Floor): Promise<unknown[]> {
  const res = await floor.api<{ faults: Array<{ id: string; deadlines: Array<Record<string, unknown>> }> }>(
    "/api/v1/faults",
  );
  return res.body.faults
    .map((f) => ({ ...f, deadlines: f.deadlines.map(({ seconds_left: _, ...d }) => d) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Runs `watchfloor ARGS` (of the installation at `root`) to completion. */
export function watchfloor(floor: Floor, args: string[], root = ROOT) {
  return spawnSync(process.execPath, [join(root, "bin/watchfloor.mjs"), ...args], {
    env: { ...process.env, ...floor.env },
    encoding: "utf8",
  });
}
