import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText } from "../../common/config/load.ts";
import { notificationsSchema } from "./config.ts";

const EXAMPLE = join(import.meta.dirname, "..", "..", "config", "notifications.example.yaml");
const ENV = [
  "WF_ACK_SECRET",
  "WF_WECOM_URL",
  "WF_DINGTALK_URL",
  "WF_DINGTALK_SECRET",
  "WF_FEISHU_URL",
  "WF_FEISHU_SECRET",
  "WF_SMS_AUTH",
  "WF_SMTP_PASSWORD",
  "WF_ITSM_TOKEN",
];

describe("the notifications file", () => {
  afterEach(() => {
    for (const k of ENV) delete process.env[k];
  });

  it("the documented example loads, secrets resolved and never printed", () => {
    for (const k of ENV)
      process.env[k] = k.endsWith("URL") ? `https://robot.example/${k}?key=s3cr3t` : "s3cr3t";
    const loaded = loadConfigFile(EXAMPLE, notificationsSchema);
    expect(loaded.ok ? [] : loaded.errors).toEqual([]);
    if (!loaded.ok) return;
    expect(loaded.value.policies.major.steps).toHaveLength(3);
    expect(loaded.value.ack.secret.reveal()).toBe("s3cr3t");
    expect(JSON.stringify(loaded.value)).not.toContain("s3cr3t");
  });

  it("the example refuses to load without its secrets, naming the variable", () => {
    const loaded = loadConfigFile(EXAMPLE, notificationsSchema);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.errors.map((e) => e.message)).toContain("environment variable WF_ACK_SECRET is not set");
  });

  it("an unknown person in the roster is reported with its YAML path and line", () => {
    const text = [
      "ack: { secret: x }",
      "channels: [{ id: hook, type: webhook, url: 'http://127.0.0.1:1/' }]",
      "people: [{ id: a, name: A, channels: [hook] }]",
      "roster:",
      "  roles: [oncall]",
      "  months:",
      "    - month: 2026-11",
      "      duty: { oncall: [a, nobody] }",
      "policies: { major: { steps: [{ after: 0, notify: [oncall] }] } }",
    ].join("\n");
    const loaded = parseConfigText("n.yaml", text, notificationsSchema);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.errors).toEqual([
        expect.objectContaining({
          path: "roster.months[0].duty.oncall[1]",
          line: 8,
          message: "unknown person nobody",
        }),
      ]);
  });

  it("an SMS channel for a person without a mobile is an error, not a silent gap", () => {
    const text = [
      "ack: { secret: x }",
      "channels: [{ id: sms, type: sms, url: 'http://127.0.0.1:1/', body: '{{text}}' }]",
      "people: [{ id: a, name: A, channels: [sms] }]",
      "roster: { roles: [oncall] }",
      "policies: {}",
    ].join("\n");
    const loaded = parseConfigText("n.yaml", text, notificationsSchema);
    expect(loaded.ok ? [] : loaded.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "people[0].mobile: channel sms sends SMS, so a needs a mobile",
    ]);
  });
});
