/**
 * Where a login returns to: only this UI's own paths (an open redirect would let a WeCom link send an
 * engineer to someone else's look-alike page after logging in). Cases from the OWASP unvalidated
 * redirects cheat sheet's bypass list.
 */
import { describe, expect, it } from "vitest";
import { safeNext } from "../../collector/http/ui/login.tsx";

describe("safeNext: a login returns to this UI only", () => {
  it.each([
    ["/ui", "/ui"],
    ["/ui/faults/F-1a2b", "/ui/faults/F-1a2b"],
    ["/ui/report?period=2026Q4", "/ui/report?period=2026Q4"],
    ["/ui/inspections/rounds/R-1#stop-ups", "/ui/inspections/rounds/R-1#stop-ups"],
  ])("keeps %s", (raw, kept) => expect(safeNext(raw)).toBe(kept));

  it.each([
    "//evil.example/ui",
    "https://evil.example/ui",
    "/\\evil.example",
    "/ui\\..\\..\\evil",
    "/ui/../api/v1/faults",
    "/uix",
    "/api/v1/faults",
    "javascript:alert(1)",
    "/ui/login",
    "/ui/logout",
    " /ui",
    "",
  ])("refuses %j", (raw) => expect(safeNext(raw)).toBeUndefined());

  it("refuses what is not a string", () => expect(safeNext(["/ui"])).toBeUndefined());
});
