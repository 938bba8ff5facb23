import { existsSync, readdirSync, rmSync, truncateSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultRecord, sendConditions, watchfloor } from "../harness/fault-record.ts";
import { Floor } from "../harness/floor.ts";

// The online backup and the restore, against a real collector process: backup while it runs and
// writes, wipe its data folder, restore, start it again — the same faults, the same audit chain.

const devices = `  - { id: ups-1, name: UPS-1, class: ups, zone: server-room, criticality: high, driver: modbus, address: "127.0.0.1:9", profile: generic-ups-modbus }
  - { id: sw-1, name: SW-1, class: network, zone: server-room, criticality: medium, driver: snmp, address: "127.0.0.1:9", profile: if-mib }`;

describe("watchfloor store backup → wipe → restore", () => {
  const floor = new Floor({ devices });
  const backup = join(floor.dir, "backups", "collector-backup.db");
  let before: unknown[] = [];
  let headBefore = "";

  beforeAll(async () => {
    await floor.startCollector();
    const t = Date.now() - 60_000;
    await sendConditions(floor, [
      { device: "ups-1", condition: "ups.on_battery", state: "firing", at: new Date(t) },
      { device: "sw-1", condition: "device.unreachable", state: "firing", at: new Date(t + 1000) },
    ]);
    const [first] = (await faultRecord(floor)) as Array<{ id: string }>;
    const ack = await floor.api(`/api/v1/faults/${first!.id}/ack`, {
      method: "POST",
      body: JSON.stringify({ note: "on it" }),
    });
    expect(ack.status).toBe(200);
  }, 150_000);
  afterAll(() => floor.stop());

  it("backs up online, while the collector runs, and checks the copy", async () => {
    before = await faultRecord(floor);
    expect(before).toHaveLength(2);
    const verify = watchfloor(floor, ["audit", "verify", "--config", floor.config]);
    expect(verify.status, verify.stderr).toBe(0);
    headBefore = /head (\w+)/.exec(verify.stdout)![1]!;
    const r = watchfloor(floor, ["store", "backup", "--config", floor.config, "--out", backup]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${backup}: ok \\(\\d+ bytes, schema version \\d+, 2 fault\\(s\\), \\d+ audit entries, hash chain intact; head ${headBefore}\\)\\n$`,
      ),
    );
    // The collector goes on: a fault after the backup is not in it.
    await sendConditions(floor, [
      { device: "ups-1", condition: "ups.overload", state: "firing", at: new Date() },
    ]);
    expect(await faultRecord(floor)).toHaveLength(3);
  });

  it("a backup never overwrites a file", () => {
    const r = watchfloor(floor, ["store", "backup", "--config", floor.config, "--out", backup]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `watchfloor store backup: ${backup}: already exists (a backup never overwrites a file)\n`,
    );
  });

  it("restore refuses while the collector has the store open", () => {
    const r = watchfloor(floor, ["store", "restore", "--config", floor.config, "--from", backup]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is in use (is the collector running?");
  });

  it("restore refuses a damaged backup and leaves the store alone", async () => {
    await floor.collector!.stop();
    const damaged = join(floor.dir, "backups", "damaged.db");
    copyFileSync(backup, damaged);
    truncateSync(damaged, 4096 * 3);
    const listing = readdirSync(join(floor.dir, "collector")).sort();
    const r = watchfloor(floor, ["store", "restore", "--config", floor.config, "--from", damaged]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^watchfloor store restore: .*damaged\.db: /);
    expect(readdirSync(join(floor.dir, "collector")).sort()).toEqual(listing);
  });

  it("after wiping the data folder, restore gives back the same faults and a verifying audit chain", async () => {
    rmSync(join(floor.dir, "collector"), { recursive: true });
    const r = watchfloor(floor, ["store", "restore", "--config", floor.config, "--from", backup]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`restored from ${backup}\n`);
    await floor.startCollector();
    expect(await faultRecord(floor)).toEqual(before);
    const verify = watchfloor(floor, ["audit", "verify", "--config", floor.config]);
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.stdout).toContain(`head ${headBefore}`);
  });

  it("restoring over an existing store keeps the replaced one beside it", async () => {
    await floor.collector!.stop();
    const r = watchfloor(floor, ["store", "restore", "--config", floor.config, "--from", backup]);
    expect(r.status, r.stderr).toBe(0);
    const kept = /kept as (\S+)\n$/.exec(r.stderr)![1]!;
    expect(existsSync(kept)).toBe(true);
    const check = watchfloor(floor, ["store", "check", kept]);
    expect(check.status, check.stderr).toBe(0);
  });
});
