import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rosterCoverageGaps } from "../../cli/roster-coverage.ts";
import { notificationsSchema } from "../../collector/paging/config.ts";
import { parse as yamlOf } from "yaml";
import { node, ROOT, tempDir } from "../harness/process.ts";

const THREE_MISTAKES = `site: { name: bad floor }
agent:
  id: a1
  profilesDir: ${join(ROOT, "config/profiles")}
  collector: { url: "http://127.0.0.1:8480", token: "t" }
devices:
  - id: ups-1
    name: UPS
    class: ups
    driver: modbus
    address: "127.0.0.1:5020"
    profile: generic-ups-modbus
    interval: soon
  - id: sw-1
    name: Core switch
    class: router
    driver: modbus
    address: "127.0.0.1:502"
    profile: generic-ups-modbus
    colour: blue
`;

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const p = node(bin, args, { env });
  const code = await new Promise<number | null>((r) => p.child.once("exit", r));
  return { code, output: p.output };
}

describe("watchfloor check-config", () => {
  const dir = tempDir();
  const file = join(dir, "site.yaml");
  writeFileSync(file, THREE_MISTAKES);

  it("prints all three mistakes, each with file, line, YAML path and expectation, and exits non-zero", async () => {
    const { code, output } = await run("watchfloor.mjs", ["check-config", file]);
    expect(code).toBe(1);
    expect(output).toContain(`${file}:13:15: devices[0].interval: expected a duration such as 10s, 5m or 2h, got "soon"`);
    expect(output).toMatch(new RegExp(`${file}:16:12: devices\\[1\\]\\.class: expected one of "ups", "network"`));
    expect(output).toMatch(new RegExp(`${file}:14:5: devices\\[1\\]: unknown key colour`));
    expect(output).toContain("3 error(s)");
  });

  it("the agent refuses to start on the same file, with the same words", async () => {
    const check = await run("watchfloor.mjs", ["check-config", file]);
    const agent = await run("watchfloor-agent.mjs", ["--config", file]);
    expect(agent.code).toBe(2);
    expect(agent.output).toContain("refusing to start");
    const errorLines = check.output.split("\n").filter((l) => l.startsWith(`${file}:`));
    expect(errorLines).toHaveLength(3);
    for (const line of errorLines) expect(agent.output).toContain(line);
  });

  it("names driver-option and profile errors by their YAML path", async () => {
    const f = join(dir, "options.yaml");
    writeFileSync(
      f,
      THREE_MISTAKES.replace("interval: soon", "interval: 5s\n    options: { unitId: 300 }")
        .replace("class: router", "class: network")
        .replace("    colour: blue\n", "")
        .replace("profile: generic-ups-modbus\n    interval: 5s", "profile: no-such-profile\n    interval: 5s"),
    );
    const { code, output } = await run("watchfloor.mjs", ["check-config", f]);
    expect(code).toBe(1);
    expect(output).toMatch(/devices\[0\]\.options\.unitId: Too big: expected number to be <=255/);
    expect(output).toMatch(/devices\[0\]\.profile: unknown profile no-such-profile/);
  });

  it("checks the policy file a collector section names, with its own file and path", async () => {
    writeFileSync(join(dir, "policy.yaml"), "deadlines:\n  major:\n    respond: half an hour\n");
    const f = join(dir, "with-policy.yaml");
    writeFileSync(
      f,
      THREE_MISTAKES.split("devices:")[0] + "collector:\n  policy: policy.yaml\n  agents: [{ id: a1, token: t }]\n",
    );
    const { code, output } = await run("watchfloor.mjs", ["check-config", f]);
    expect(code).toBe(1);
    expect(output).toContain(`${join(dir, "policy.yaml")}:3:14: deadlines.major.respond: expected a duration`);
  });

  it("a time zone ICU does not know is an error with its line (checked by the collector's loader, which uses it)", async () => {
    const f = join(dir, "zone.yaml");
    writeFileSync(f, THREE_MISTAKES.replace("site: { name: bad floor }", "site: { name: bad floor, timezone: Asia/Shangai }"));
    const { code, output } = await run("watchfloor.mjs", ["check-config", f]);
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`${f}:1:\\d+: site\\.timezone: expected an IANA time zone such as Asia/Shanghai`));
    expect(output).toContain("4 error(s)");
  });

  it("accepts the shipped example config", async () => {
    const { code, output } = await run("watchfloor.mjs", ["check-config", join(ROOT, "config/site.example.yaml")], {
      WATCHFLOOR_AGENT_TOKEN: "example",
    });
    expect(output).toContain("ok");
    expect(code).toBe(0);
  });

  it("an unset ${env:…} secret is a warning with its line (the service gets it from systemd), a set one is never printed", async () => {
    const f = join(dir, "secret.yaml");
    writeFileSync(f, THREE_MISTAKES.split("devices:")[0]!.replace('token: "t"', 'token: "${env:WF_TEST_MISSING_TOKEN}"'));
    const unset = await run("watchfloor.mjs", ["check-config", f]);
    expect(unset.code).toBe(0);
    expect(unset.output).toMatch(
      new RegExp(`${f}:\\d+:\\d+: warning: environment variable WF_TEST_MISSING_TOKEN is not set in this shell`),
    );
    const set = await run("watchfloor.mjs", ["check-config", f], { WF_TEST_MISSING_TOKEN: "s3cr3t-value" });
    expect(set.code).toBe(0);
    expect(set.output).not.toContain("warning");
    expect(set.output).not.toContain("s3cr3t-value");
    // The agent itself refuses to start without it.
    const agent = await run("watchfloor-agent.mjs", ["--config", f]);
    expect(agent.code).toBe(2);
    expect(agent.output).toContain("agent.collector.token: environment variable WF_TEST_MISSING_TOKEN is not set");
  });
});

// Seven mistakes across every stage check-config has: the site schema (a bad duration, a misspelt key),
// a cross-reference in the site (an unknown zone), driver options (a misspelt option), profiles (a
// misspelt profile), the policy file and the notifications file (a channel type that does not exist).
const SEVEN_MISTAKES = `site: { name: seven }
zones: [{ id: server-room, name: 机房 }]
agent:
  id: a1
  profilesDir: ${join(ROOT, "config/profiles")}
  collector: { url: "http://127.0.0.1:8480", token: "t" }
collector:
  agents: [{ id: a1, token: t }]
  policy: policy.yaml
  notifications: notifications.yaml
devices:
  - id: ups-1
    name: UPS
    class: ups
    driver: modbus
    address: "127.0.0.1:5020"
    profile: generic-ups-modbus
    interval: soon
    options: { unitID: 2 }
  - id: ups-2
    name: UPS 2
    class: ups
    driver: modbus
    address: "127.0.0.1:5021"
    profile: generic-ups-modbuss
    dependson: [ups-1]
  - { id: ups-3, name: UPS 3, class: ups, zone: sever-room, driver: modbus, address: "127.0.0.1:5022", profile: generic-ups-modbus }
`;
const SEVEN_POLICY = "deadlines:\n  major:\n    respond: half an hour\n";
const SEVEN_NOTIFICATIONS = `ack: { secret: s3cret-for-ack-links }
channels:
  - { id: ops-robot, type: wechat, url: "https://example.invalid/hook" }
people:
  - { id: li, name: 李工, channels: [ops-robot] }
roster:
  roles: [oncall]
policies: {}
`;

describe("watchfloor check-config: every error in one pass", () => {
  const dir = tempDir();
  const file = join(dir, "site.yaml");
  writeFileSync(file, SEVEN_MISTAKES);
  writeFileSync(join(dir, "policy.yaml"), SEVEN_POLICY);
  writeFileSync(join(dir, "notifications.yaml"), SEVEN_NOTIFICATIONS);

  it("reports all seven planted errors in one run, in plain words, with the nearest valid key", async () => {
    const { code, output } = await run("watchfloor.mjs", ["check-config", file]);
    expect(code).toBe(1);
    const lines = output.split("\n").filter((l) => /^\/.*:\d+:\d+: /.test(l));
    const expected = [
      `${file}:18:15: devices[0].interval: expected a duration such as 10s, 5m or 2h, got "soon"`,
      `${file}:20:5: devices[1]: unknown key dependson; did you mean dependsOn?`,
      `${file}:27:49: devices[2].zone: unknown zone sever-room; did you mean server-room?`,
      `${file}:19:14: devices[0].options: unknown key unitID; did you mean unitId?`,
      `${file}:25:14: devices[1].profile: unknown profile generic-ups-modbuss; did you mean generic-ups-modbus?`,
      `${join(dir, "policy.yaml")}:3:14: deadlines.major.respond: expected a duration`,
      `${join(dir, "notifications.yaml")}:3:28: channels[0].type: "wechat" is not a known type: expected one of "webhook", "wecom", "dingtalk", "feishu", "sms", "email"`,
    ];
    for (const e of expected) expect(lines.some((l) => l.startsWith(e)), `missing: ${e}\n${output}`).toBe(true);
    expect(lines).toHaveLength(7);
    expect(output).not.toMatch(/Invalid discriminator|Unrecognized key|Invalid input/);
    expect(output).toContain("7 error(s)");
  });
});

describe("watchfloor check-config: agent.collector url / urls, agent.outbox", () => {
  const dir = tempDir();
  const site = (collector: string) => `site: { name: pair }
agent:
  id: a1
  profilesDir: ${join(ROOT, "config/profiles")}
  collector: ${collector}
`;
  const cases: Array<[string, string, string | undefined]> = [
    ["one url", `{ url: "http://127.0.0.1:8480", token: t }`, undefined],
    ["a list of urls", `{ urls: ["http://10.0.0.1:8480", "http://10.0.0.2:8480"], token: t }`, undefined],
    ["both", `{ url: "http://10.0.0.1:8480", urls: ["http://10.0.0.2:8480"], token: t }`, "5:51: agent.collector.urls: give url or urls, not both"],
    ["neither", `{ token: t }`, "5:14: agent.collector.url: expected url (one collector) or urls (a list, for active/standby collectors)"],
    ["a url twice", `{ urls: ["http://10.0.0.1:8480", "http://10.0.0.1:8480"], token: t }`, "agent.collector.urls[1]: duplicate collector URL http://10.0.0.1:8480"],
    ["an empty list", `{ urls: [], token: t }`, "agent.collector.urls: "],
    [
      "a password in a url",
      `{ urls: ["http://10.0.0.1:8480", "http://ops:s3cret@10.0.0.2:8480"], token: t }`,
      "agent.collector.urls[1]: a collector URL carries no user:password (the agent authenticates with agent.collector.token)",
    ],
    ["not http", `{ url: "ftp://10.0.0.1/", token: t }`, "agent.collector.url: "],
    [
      "a token in a query",
      `{ url: "http://10.0.0.1:8480/?access_token=s3cret", token: t }`,
      "agent.collector.url: a collector URL carries no ?query or #fragment",
    ],
    ["a trailing slash", `{ url: "http://10.0.0.1:8480/", token: t }`, undefined],
    [
      "a path prefix",
      `{ urls: ["http://10.0.0.1:8480", "https://ops.example.gov.cn/watchfloor"], token: t }`,
      "agent.collector.urls[1]: a collector URL is its origin only, scheme://host[:port] (events go to /api/v1/events at its root; a collector behind a path prefix is not supported)",
    ],
    // agent.outbox, next to the collector in the same site file.
    ["outbox.setAside given", `{ url: "http://127.0.0.1:8480", token: t }\n  outbox: { setAside: { attempts: 3, after: 10m } }`, undefined],
    [
      "outbox.setAside.attempts 0",
      `{ url: "http://127.0.0.1:8480", token: t }\n  outbox: { setAside: { attempts: 0 } }`,
      "6:35: agent.outbox.setAside.attempts: Too small: expected number to be >=1",
    ],
    [
      "outbox.setAside.after not a duration",
      `{ url: "http://127.0.0.1:8480", token: t }\n  outbox: { setAside: { after: soon } }`,
      "agent.outbox.setAside.after: expected a duration such as 10s, 5m or 2h",
    ],
  ];
  for (const [name, collector, error] of cases)
    it(`${name}: ${error ? "refused" : "accepted"}`, async () => {
      const f = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
      writeFileSync(f, site(collector));
      const { code, output } = await run("watchfloor.mjs", ["check-config", f]);
      if (!error) {
        expect(code, output).toBe(0);
        return;
      }
      expect(code).toBe(1);
      expect(output).toContain(error.includes(":") && /^\d/.test(error) ? `${f}:${error}` : error);
    });
});

describe("watchfloor check-config: collector.ha", () => {
  const dir = tempDir();
  const site = (store: string, ha: string) => `site: { name: pair }
collector:
  agents: [{ id: a1, token: t }]
${store}  ha: ${ha}
`;
  const pgStore = `  store: { kind: postgres, url: "postgresql://watchfloor@10.0.0.5/watchfloor" }\n`;
  const cases: Array<[string, string, string, string | undefined]> = [
    ["on PostgreSQL with the defaults", pgStore, "{ nodeId: collector-a }", undefined],
    ["on the SQLite store", "", "{ nodeId: collector-a }", "collector.ha: active/standby collectors share one PostgreSQL database: collector.ha needs collector.store {kind: postgres, url}"],
    ["failover under Zabbix's floor of 10 s", pgStore, "{ nodeId: collector-a, failoverSeconds: 9 }", "collector.ha.failoverSeconds: "],
    ["a heartbeat over half the failover delay", pgStore, "{ nodeId: collector-a, heartbeatSeconds: 6, failoverSeconds: 10 }", "collector.ha.heartbeatSeconds: heartbeatSeconds (6) must be at most half of failoverSeconds (10)"],
  ];
  for (const [name, store, ha, error] of cases)
    it(`${name}: ${error ? "refused" : "accepted"}`, async () => {
      const f = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
      writeFileSync(f, site(store, ha));
      const { code, output } = await run("watchfloor.mjs", ["check-config", f]);
      if (!error) {
        expect(code, output).toBe(0);
        return;
      }
      expect(code).toBe(1);
      expect(output).toContain(error);
    });
});

describe("collector.ingest: bounds on agents' times", () => {
  const dir = tempDir();
  const site = (ingest: string) => `site: { name: floor }
collector:
  agents: [{ id: a1, token: t }]
  ingest: ${ingest}
`;

  it("takes durations for both keys", async () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(file, site("{ clockSkewSeconds: 2m, maxEventAgeSeconds: 7d }"));
    const { code, output } = await run("watchfloor.mjs", ["check-config", file]);
    expect(output).not.toContain("error");
    expect(code).toBe(0);
  });

  it("a max event age not above the clock skew tolerance is refused, by its YAML path", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, site("{ clockSkewSeconds: 2m, maxEventAgeSeconds: 60 }"));
    const { code, output } = await run("watchfloor.mjs", ["check-config", file]);
    expect(code).toBe(1);
    expect(output).toContain("collector.ingest.maxEventAgeSeconds: maxEventAgeSeconds must exceed clockSkewSeconds");
  });
});

// Review L6: a roster with no month for now or next month passed check-config; at run time that is
// roster.missing and, without a fallback, pages to nobody. Months here are written out by hand from the
// roster's rule (a duty day runs from the handover, 08:30 site time, so 1 Dec 07:00 is still November).
const ROSTER_NOTIFICATIONS = (months: string, fallback: string) => `ack: { secret: s3cret-for-ack-links }
channels:
  - { id: ops-robot, type: webhook, url: "https://example.invalid/hook" }
people:
  - { id: li, name: 李工, channels: [ops-robot] }
  - { id: duty, name: 值班室, channels: [ops-robot] }
roster:
  roles: [oncall, lead]
  months: ${months}
${fallback}
policies: {}
`;

describe("watchfloor check-config: roster months (review L6)", () => {
  const roster = (months: string) => notificationsSchema.parse(yamlOf(ROSTER_NOTIFICATIONS(months, "")));
  const at = (iso: string) => Date.parse(iso);

  it("names the current and next duty month when the roster lacks them, and roles nobody holds", () => {
    expect(rosterCoverageGaps(at("2026-12-15T12:00:00+08:00"), roster("[]"), "Asia/Shanghai")).toEqual([
      { month: "2026-12", roles: ["oncall", "lead"], absent: true },
      { month: "2027-01", roles: ["oncall", "lead"], absent: true },
    ]);
    // Before the 08:30 handover on 1 December it is still November's duty.
    expect(rosterCoverageGaps(at("2026-12-01T07:00:00+08:00"), roster("[]"), "Asia/Shanghai").map((g) => g.month)).toEqual(["2026-11", "2026-12"]);
    const partial = roster("[{ month: 2026-12, duty: { oncall: [li], lead: [li] } }, { month: 2027-01, duty: { oncall: [li] } }]");
    expect(rosterCoverageGaps(at("2026-12-15T12:00:00+08:00"), partial, "Asia/Shanghai")).toEqual([
      { month: "2027-01", roles: ["lead"], absent: false },
    ]);
  });

  it("warns (exit 0) naming the months and whether a fallback catches the pages", async () => {
    const dir = tempDir();
    const site = join(dir, "site.yaml");
    writeFileSync(site, `site: { name: roster }\ncollector:\n  agents: [{ id: a1, token: t }]\n  notifications: notifications.yaml\ndevices: []\n`);
    const notifications = join(dir, "notifications.yaml");
    writeFileSync(notifications, ROSTER_NOTIFICATIONS("[]", ""));
    const none = await run("watchfloor.mjs", ["check-config", site]);
    expect(none.code, none.output).toBe(0);
    expect(none.output).toContain(`${site}: ok`);
    const warnings = none.output.split("\n").filter((l) => l.startsWith(`${notifications}: warning: roster.months has no month `));
    expect(warnings, none.output).toHaveLength(2);
    for (const w of warnings) expect(w).toMatch(/has no month \d{4}-\d{2}: .*no fallback is set, so pages for oncall, lead go to nobody$/);

    writeFileSync(notifications, ROSTER_NOTIFICATIONS("[]", "fallback: [duty]"));
    const fallback = await run("watchfloor.mjs", ["check-config", site]);
    expect(fallback.code).toBe(0);
    expect(fallback.output).toMatch(/has no month \d{4}-\d{2}: .* pages for oncall, lead go to the fallback \(duty\)/);
  });
});
