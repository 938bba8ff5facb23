import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "./duration.ts";

describe("durations in config", () => {
  it.each([
    ["10s", 10],
    ["5m", 300],
    ["2h", 7200],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["1d", 86400],
    ["30", 30],
    [15, 15],
  ])("%s is %d seconds", (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(["soon", "", "5 m", "-3s", "10x", "m5"])("%j is not a duration", (text) => expect(parseDurationSeconds(text)).toBeUndefined());
});
