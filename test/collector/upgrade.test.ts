import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../collector/store/db.ts";
import { faultRecord, sendConditions, watchfloor } from "../harness/fault-record.ts";
import { Floor } from "../harness/floor.ts";
import { skipWithout } from "../harness/peer-gate.ts";
import { ROOT, tempDir } from "../harness/process.ts";

/**
 * Schema upgrade from the previous release's store: the collector of commit PREVIOUS (its whole tree,
 * from git) writes a store the way it did — faults, an acknowledgement, the audit chain — then this
 * version opens the same data folder: the faults read the same, the audit chain still verifies with
 * the same head, the schema is migrated to this version's, and new events still work.
 */
const PREVIOUS = "2037933";
const hasCommit = spawnSync("git", ["-C", ROOT, "cat-file", "-e", `${PREVIOUS}^{commit}`]).status === 0;

const devices = `  - { id: ups-1, name: UPS-1, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:9", profile: generic-ups-modbus }
  - { id: sw-1, name: SW-1, class: network, zone: server-room, criticality: medium, driver: snmp, address: "127.0.0.1:9", profile: if-mib }`;

describe.skipIf(
  skipWithout(hasCommit ? undefined : `git history with commit ${PREVIOUS} (a full clone)`, "schema upgrade"),
)(`the store of release ${PREVIOUS}, opened by this version`, () => {
  const previous = tempDir("wf-previous-");
  const floor = new Floor({ devices });
  let written: unknown[] = [];
  let head = "";

  beforeAll(async () => {
    execFileSync("sh", ["-c", `git -C "${ROOT}" archive ${PREVIOUS} | tar -x -C "${previous}"`]);
    symlinkSync(join(ROOT, "node_modules"), join(previous, "node_modules"));
    await floor.startCollector(previous);
    const t = Date.now() - 120_000;
    await sendConditions(floor, [
      { device: "ups-1", condition: "ups.on_battery", state: "firing", at: new Date(t) },
      { device: "sw-1", condition: "device.unreachable", state: "firing", at: new Date(t + 1000) },
    ]);
    const faults = (await faultRecord(floor)) as Array<{ id: string; device: string }>;
    const ups = faults.find((f) => f.device === "ups-1")!;
    expect((await floor.api(`/api/v1/faults/${ups.id}/ack`, { method: "POST", body: "{}" })).status).toBe(
      200,
    );
    written = await faultRecord(floor);
    const verify = watchfloor(floor, ["audit", "verify", "--config", floor.config], previous);
    expect(verify.status, verify.stderr + verify.stdout).toBe(0);
    head = /head (\w+)/.exec(verify.stdout)![1]!;
    await floor.collector!.stop();
  }, 180_000);
  afterAll(() => floor.stop());

  it("is migrated to this version's schema when this collector opens it", async () => {
    const file = join(floor.dir, "collector", "collector.db");
    const versionOf = (db: Database.Database) => db.pragma("user_version", { simple: true });
    const old = new Database(file, { readonly: true });
    const oldVersion = versionOf(old);
    old.close();
    mkdirSync(join(floor.dir, "fresh"));
    const fresh = openDatabase(join(floor.dir, "fresh", "collector.db"));
    const current = versionOf(fresh);
    fresh.close();
    expect(oldVersion).toBeLessThanOrEqual(current as number);

    await floor.startCollector();
    const now = new Database(file, { readonly: true });
    expect(versionOf(now)).toBe(current);
    now.close();
  });

  it("shows the same faults, and the audit chain verifies with the same head", async () => {
    expect(await faultRecord(floor)).toEqual(written);
    const verify = watchfloor(floor, ["audit", "verify", "--config", floor.config]);
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.stdout).toContain(`head ${head}`);
  });

  it("goes on: a clear resolves the old release's fault, and the chain still verifies", async () => {
    await sendConditions(floor, [
      { device: "ups-1", condition: "ups.on_battery", state: "clear", at: new Date() },
    ]);
    const ups = ((await faultRecord(floor)) as Array<{ device: string; status: string }>).find(
      (f) => f.device === "ups-1",
    );
    expect(ups?.status).toBe("resolved");
    const verify = watchfloor(floor, ["audit", "verify", "--config", floor.config]);
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.stdout).not.toContain(`head ${head}`);
  });
});
