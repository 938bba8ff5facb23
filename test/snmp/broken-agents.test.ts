import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../harness/process.ts";
import { type OnceLine, readingsOf, runOnce, snmpDevice } from "./agent-once.ts";
import { type Behaviour, BrokenAgent, ROWS, SCALAR, TABLE } from "./broken-agent.ts";

/** Profile for the stand-in responder: one scalar and two columns of its table. */
const PROFILE = `id: broken-test
origin: test/snmp/broken-agent.ts (a stand-in responder, no real MIB)
driver: snmp
readings:
  - name: system_uptime_seconds
    source: { get: ${SCALAR} }
  - name: if_in_octets_total
    source: { walk: ${TABLE}.1, labels: { row: index } }
  - name: if_out_octets_total
    source: { walk: ${TABLE}.2, labels: { row: index } }
`;

describe("misbehaving SNMP agents: each device is marked, the agent carries on", () => {
  let agent: BrokenAgent;
  let lines: Map<string, OnceLine>;
  let code: number;

  beforeAll(async () => {
    agent = await new BrokenAgent().start();
    const profiles = join(tempDir("wf-broken-profiles-"), "profiles");
    mkdirSync(profiles);
    writeFileSync(join(profiles, "broken-test.yaml"), PROFILE);
    const at = `127.0.0.1:${agent.port}`;
    const behaviours: Behaviour[] = [
      "good",
      "endless",
      "backwards",
      "garbage",
      "silent",
      "toobig",
      "flatbulk",
    ];
    const res = await runOnce(
      behaviours.map((b) =>
        snmpDevice(b, at, "broken-test", {
          community: b,
          timeoutMs: 700,
          retries: 0,
          maxRows: 200,
          maxRepetitions: 50,
        }),
      ),
      {},
      profiles,
    );
    lines = res.lines;
    code = res.code;
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  });

  const rows = (line: OnceLine | undefined, name: string) => readingsOf(line, name).length;

  it("reads a well-behaved device in full, and the run ends normally with every device reported", () => {
    expect(code).toBe(0);
    expect(lines.size).toBe(7);
    const good = lines.get("good")!;
    expect(good.up).toBe(true);
    expect(rows(good, "if_in_octets_total")).toBe(ROWS);
    expect(rows(good, "if_out_octets_total")).toBe(ROWS);
    // A slow or silent neighbour does not hold this device back.
    expect((good as OnceLine & { pollDurationSeconds: number }).pollDurationSeconds).toBeLessThan(0.5);
  });

  it("cuts off a walk that never ends, with an error naming the column", () => {
    const line = lines.get("endless")!;
    expect(line.up).toBe(true);
    expect(readingsOf(line, "system_uptime_seconds")).toHaveLength(1);
    expect(rows(line, "if_in_octets_total")).toBe(0);
    expect(line.readingErrors?.find((e) => e.reading === "if_in_octets_total")?.error).toMatch(
      new RegExp(`${TABLE}\\.1: more than 200 rows`),
    );
  });

  it("stops a walk whose OIDs go backwards", () => {
    const line = lines.get("backwards")!;
    expect(line.up).toBe(true);
    expect(line.readingErrors?.find((e) => e.reading === "if_out_octets_total")?.error).toMatch(
      /not increasing/,
    );
  });

  it("marks a device that answers garbage as down, saying the replies did not parse", () => {
    const line = lines.get("garbage")!;
    expect(line.up).toBe(false);
    expect(line.error).toMatch(/could not be parsed/);
    expect(line.conditions).toContainEqual({ name: "device.unreachable", labels: {}, state: "firing" });
  });

  it("marks a silent device as down with a timeout", () => {
    const line = lines.get("silent")!;
    expect(line.up).toBe(false);
    expect(line.error).toMatch(/no answer .* within 700 ms/);
  });

  it("backs off from tooBig and still reads every row", () => {
    const line = lines.get("toobig")!;
    expect(line.up, line.error).toBe(true);
    expect(line.readingErrors ?? []).toEqual([]);
    expect(rows(line, "if_in_octets_total")).toBe(ROWS);
    expect(rows(line, "if_out_octets_total")).toBe(ROWS);
  });

  it("reads every row of a device whose GetBulk ignores non-repeaters (the scalar then goes by GET)", () => {
    const line = lines.get("flatbulk")!;
    expect(line.up, line.error).toBe(true);
    expect(line.readingErrors ?? []).toEqual([]);
    expect(readingsOf(line, "system_uptime_seconds").map((r) => r.value)).toEqual([123456]);
    expect(rows(line, "if_in_octets_total")).toBe(ROWS);
    expect(rows(line, "if_out_octets_total")).toBe(ROWS);
  });
});
