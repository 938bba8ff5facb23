import { describe, expect, it } from "vitest";
import { parseScenario } from "./scenario.ts";

describe("scenario lines", () => {
  it("parses every line type and skips blank and # lines", () => {
    const text = [
      "# a comment",
      '{"type":"device","id":"sw-1","class":"network","dependsOn":["core"]}',
      "",
      '{"type":"condition","at":"2026-03-02T09:00:00+08:00","device":"core","condition":"device.unreachable","state":"firing","class":"major"}',
      '{"type":"open","at":"2026-03-02T09:00:00+08:00","id":"T1","device":"seat-1","class":"general","title":"x"}',
      '{"type":"ack","at":"2026-03-02T09:01:00+08:00","fault":{"device":"core","condition":"device.unreachable"},"by":"wang"}',
      '{"type":"window","at":"2026-03-01T00:00:00+08:00","id":"W1","devices":["sw-1"],"start":"2026-03-05T00:00:00+08:00","end":"2026-03-05T02:00:00+08:00","announced":"2026-03-01T00:00:00+08:00"}',
      '{"type":"tick","at":"2026-03-03T00:00:00+08:00"}',
    ].join("\n");
    const p = parseScenario(text);
    if (!p.ok) throw new Error(p.message);
    expect(p.lines.map((l) => [l.line, l.kind === "device" ? "device" : l.command.type])).toEqual([
      [2, "device"],
      [4, "condition"],
      [5, "open"],
      [6, "ack"],
      [7, "window"],
      [8, "tick"],
    ]);
    const c = p.lines[1]!;
    expect(c.kind === "command" && c.command).toMatchObject({ eventId: "line:4", classHint: "major" });
  });
  it("a time without offset is refused with the line number and what was expected", () => {
    const p = parseScenario('{"type":"tick","at":"2026-03-03T00:00:00"}');
    expect(p).toMatchObject({ ok: false, line: 1 });
    expect(!p.ok && p.message).toMatch(/at: expected an ISO 8601 time with offset/);
  });
  it("an unknown type, an unknown field, a missing field and bad JSON are refused with their line", () => {
    expect(parseScenario('{"type":"explode","at":"2026-03-03T00:00:00Z"}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/type: expected one of condition/),
    });
    expect(parseScenario('\n{"type":"tick","at":"2026-03-03T00:00:00Z","foo":1}')).toMatchObject({
      ok: false,
      line: 2,
      message: expect.stringMatching(/unknown field foo/),
    });
    expect(parseScenario('{"type":"ack","at":"2026-03-03T00:00:00Z","fault":"F1"}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^by: /),
    });
    expect(parseScenario("{nope")).toMatchObject({
      ok: false,
      line: 1,
      message: expect.stringMatching(/expected one JSON object per line/),
    });
    expect(
      parseScenario(
        '{"type":"condition","at":"2026-03-03T00:00:00Z","device":"d","condition":"c","state":"on"}',
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/state: expected one of "firing", "clear"/),
    });
  });
});
