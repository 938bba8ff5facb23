import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadCollectorSite } from "../../collector/site.ts";
import { tempDir } from "../harness/process.ts";

describe("the collector loads collector.notifications relative to the site file", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function load(notifications: string) {
    const root = tempDir("wf-paging-site-");
    dir = root;
    mkdirSync(join(root, "conf"));
    writeFileSync(
      join(root, "conf", "site.yaml"),
      [
        "site: { name: t }",
        "collector:",
        "  agents: [{ id: a, token: t }]",
        "  notifications: notifications.yaml",
        "  publicUrl: https://wf.example",
      ].join("\n"),
    );
    writeFileSync(join(root, "conf", "notifications.yaml"), notifications);
    return loadCollectorSite(join(root, "conf", "site.yaml"));
  }

  it("a valid file is loaded with the site", () => {
    const { site, errors } = load(
      [
        "ack: { secret: s }",
        "channels: [{ id: hook, type: webhook, url: 'http://127.0.0.1:1/' }]",
        "people: [{ id: a, name: A, channels: [hook] }]",
        "roster: { roles: [oncall], months: [{ month: 2026-11, duty: { oncall: [a] } }] }",
        "policies: { major: { steps: [{ after: 0, notify: [oncall] }] } }",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(site?.notifications?.people.map((p) => p.id)).toEqual(["a"]);
  });

  it("an error in it stops the collector, naming the notifications file, line and YAML path", () => {
    const { site, errors } = load(
      [
        "ack: { secret: s }",
        "channels: [{ id: hook, type: webhook, url: 'http://127.0.0.1:1/' }]",
        "people: [{ id: a, name: A, channels: [hook] }]",
        "roster: { roles: [oncall] }",
        "policies:",
        "  major:",
        "    steps: [{ after: 0, notify: [shift_lead] }]",
      ].join("\n"),
    );
    expect(site).toBeUndefined();
    expect(errors).toEqual([
      expect.objectContaining({
        file: join(dir!, "conf", "notifications.yaml"),
        path: "policies.major.steps[0].notify[0]",
        line: 7,
        message: "unknown role or person shift_lead",
      }),
    ]);
  });
});
