import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatConfigError } from "../../common/config/load.ts";
import { loadTemplates } from "../../collector/inspections/templates.ts";
import { node, ROOT, tempDir } from "../harness/process.ts";

const SITE = {
  devices: [{ id: "ups-1" }, { id: "env-1" }] as never[],
  zones: [{ id: "server-room", name: "机房" }],
};

// Line numbers below are counted by hand in this text (1-based), columns likewise.
const BROKEN = `id: broken
title: 坏模板
schedule: "0 9 31 2 *"
due: 4h
stops:
  - id: a
    title: A
    zone: roof
    items:
      - id: t
        kind: reading
        title: 温度
        unit: °C
        range: { min: 18, max: 27 }
      - id: load
        kind: reading
        title: 负载
        unit: "%"
        range: { max: 80, source: practice }
        prefill: { device: ups-9, reading: ups_output_load_ratio, scale: 100 }
      - id: c
        kind: choice
        title: 方式
        options: [逆变, 旁路]
        normal: [市电]
        source: practice
        colour: red
`;

describe("inspection templates (config/inspections/*.yaml)", () => {
  it("the four shipped templates load against the example site", () => {
    const loaded = loadTemplates(join(ROOT, "config/inspections"), {
      devices: [{ id: "ups-1" }, { id: "sw-floor-1" }] as never[],
      zones: [
        { id: "server-room", name: "机房" },
        { id: "floor", name: "坐席区" },
      ],
    });
    expect(loaded.errors.map(formatConfigError)).toEqual([]);
    expect(loaded.templates.map((t) => t.id).sort()).toEqual([
      "daily-floor-patrol",
      "daily-server-room",
      "monthly-fire-safety",
      "weekly-ups-battery",
    ]);
    const fire = loaded.templates.find((t) => t.id === "monthly-fire-safety")!;
    const pressure = fire.stops.find((s) => s.id === "gas-suppression")!.items.find((i) => i.id === "container-pressure")!;
    // Gas suppression: ≥ 90 % of the design storage pressure (GB 50370 practice).
    expect(pressure).toMatchObject({ kind: "reading", unit: "%", range: { min: 90, source: "GB 50370 practice" } });
    // Every limit names its source.
    for (const t of loaded.templates)
      for (const s of t.stops)
        for (const i of s.items) {
          if (i.kind === "reading" && i.range) expect(i.range.source.length).toBeGreaterThan(2);
          if (i.kind === "yesno" || i.kind === "choice") expect(i.source.length).toBeGreaterThan(2);
        }
  });

  it("schema errors name file, line, column, YAML path and what was expected", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "broken.yaml"), BROKEN);
    const errors = loadTemplates(dir, SITE).errors.map(formatConfigError);
    const f = join(dir, "broken.yaml");
    expect(errors).toEqual([
      `${f}:3:11: schedule: cron: day-of-month 31 never occurs in month 2`,
      `${f}:14:16: stops[0].items[0].range.source: required: expected a string`,
      `${f}:21:9: stops[0].items[2]: unknown key colour (allowed here: id, title, titleEn, hint, kind, options, normal, source, required, onAbnormal)`,
      `${f}:25:18: stops[0].items[2].normal[0]: 市电 is not one of the options`,
    ]);
  });

  it("site errors (unknown device, zone) once the schema passes; duplicate template ids", () => {
    const dir = tempDir();
    const fixed = BROKEN.replace('"0 9 31 2 *"', '"0 9 * * *"')
      .replace("{ min: 18, max: 27 }", "{ min: 18, max: 27, source: GB 50174-2017 }")
      .replace("        colour: red\n", "")
      .replace("normal: [市电]", "normal: [逆变]");
    writeFileSync(join(dir, "a.yaml"), fixed);
    writeFileSync(join(dir, "b.yaml"), fixed);
    const errors = loadTemplates(dir, SITE).errors.map(formatConfigError);
    expect(errors).toEqual([
      `${join(dir, "a.yaml")}:8:11: stops[0].zone: unknown zone roof; expected one of: server-room`,
      `${join(dir, "a.yaml")}:20:28: stops[0].items[1].prefill.device: unknown device ups-9; expected one of: ups-1, env-1`,
      `${join(dir, "b.yaml")}:8:11: stops[0].zone: unknown zone roof; expected one of: server-room`,
      `${join(dir, "b.yaml")}:20:28: stops[0].items[1].prefill.device: unknown device ups-9; expected one of: ups-1, env-1`,
      `${join(dir, "b.yaml")}:1:5: id: template id broken is already used by ${join(dir, "a.yaml")}`,
    ]);
  });

  it("watchfloor check-config validates the folder a collector section names", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "inspections"));
    writeFileSync(join(dir, "inspections", "broken.yaml"), BROKEN);
    writeFileSync(
      join(dir, "site.yaml"),
      "site: { name: s }\nzones: [{ id: server-room, name: 机房 }]\ncollector:\n  agents: [{ id: a1, token: t }]\n  inspections: inspections\n",
    );
    const p = node("watchfloor.mjs", ["check-config", join(dir, "site.yaml")]);
    const code = await new Promise<number | null>((r) => p.child.once("exit", r));
    expect(code).toBe(1);
    expect(p.output).toContain(`${join(dir, "inspections", "broken.yaml")}:3:11: schedule: cron: day-of-month 31 never occurs in month 2`);
    expect(p.output).toContain("4 error(s)");
  });
});
