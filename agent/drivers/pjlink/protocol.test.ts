import { describe, expect, it } from "vitest";
import { authDigest, inputNumber, parseAnswer, parseErrorStatus, parseGreeting, parseLamps, parseResolution } from "./protocol.ts";
import { inHours } from "./schedule.ts";
import { scheduleSchema } from "./options.ts";

describe("PJLink protocol (PJLink Specifications, JBMIA)", () => {
  // The specification's own authentication example: random 498e4a67, password JBMIAProjectorLink.
  it("the authentication digest of the specification's example", () => {
    expect(authDigest("498e4a67", "JBMIAProjectorLink")).toBe("5d8409bc1c3fa39749434aa3a5c38682");
  });

  it("greetings", () => {
    expect(parseGreeting("PJLINK 0")).toEqual({ auth: false });
    expect(parseGreeting("PJLINK 1 498e4a67")).toEqual({ auth: true, random: "498e4a67" });
    expect(parseGreeting("PJLINK ERRA")).toHaveProperty("error");
    expect(parseGreeting("SSH-2.0-OpenSSH")).toHaveProperty("error");
  });

  it("answers and the four errors", () => {
    expect(parseAnswer("%1POWR=1", 1, "POWR")).toEqual({ ok: true, value: "1" });
    expect(parseAnswer("%2SNUM=ABC 123", 2, "SNUM")).toEqual({ ok: true, value: "ABC 123" });
    expect(parseAnswer("%1INPT=ERR3", 1, "INPT")).toEqual({ ok: false, error: "INPT: ERR3 (unavailable time)" });
    expect(parseAnswer("%1LAMP=ERR1", 1, "LAMP").ok).toBe(false);
    expect(parseAnswer("PJLINK ERRA", 1, "CLSS")).toEqual({ ok: false, error: "authentication refused (PJLINK ERRA)" });
  });

  it("ERST digits, LAMP pairs, IRES, input codes", () => {
    expect(parseErrorStatus("021000")).toEqual({ fan: 0, lamp: 2, temperature: 1, cover: 0, filter: 0, other: 0 });
    expect(parseErrorStatus("0210")).toBeUndefined();
    expect(parseLamps("12345 1 678 0")).toEqual([{ hours: 12345, on: true }, { hours: 678, on: false }]);
    expect(parseResolution("1920x1080")).toEqual({ width: 1920, height: 1080 });
    expect(parseResolution("-")).toBeUndefined();
    expect(inputNumber("31")).toBe(31);
    expect(inputNumber("3A")).toBe(3 * 36 + 10);
  });

  it("on-hours in Asia/Shanghai, including a span over midnight", () => {
    const day = scheduleSchema.parse({ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "22:00" });
    // 2026-12-01 is a Tuesday.
    expect(inHours(day, Date.parse("2026-12-01T08:00:00+08:00"))).toBe(true);
    expect(inHours(day, Date.parse("2026-12-01T07:59:00+08:00"))).toBe(false);
    expect(inHours(day, Date.parse("2026-12-01T22:00:00+08:00"))).toBe(false);
    expect(inHours(day, Date.parse("2026-12-05T10:00:00+08:00"))).toBe(false); // Saturday
    const night = scheduleSchema.parse({ from: "20:00", to: "06:00" });
    expect(inHours(night, Date.parse("2026-12-01T23:00:00+08:00"))).toBe(true);
    expect(inHours(night, Date.parse("2026-12-01T12:00:00+08:00"))).toBe(false);
  });
});
