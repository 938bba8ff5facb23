import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, nearest } from "./nearest.ts";

describe("nearest key for a misspelling", () => {
  it("measures edit distance (textbook pairs)", () => {
    // Classic examples: kitten → sitting is 3, flaw → lawn is 2.
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("flaw", "lawn")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
    // Optimal string alignment: a swap of neighbours is one edit, and "ca" → "abc" is 3 (not 2 as in
    // unrestricted Damerau–Levenshtein).
    expect(editDistance("nmae", "name")).toBe(1);
    expect(editDistance("ca", "abc")).toBe(3);
  });

  it("prefers the same word in another case", () => {
    expect(nearest("unitID", ["unitId", "timeoutMs", "retries"])).toBe("unitId");
  });

  it("finds a close misspelling and refuses a far one", () => {
    expect(nearest("intervall", ["interval", "timeout", "name"])).toBe("interval");
    expect(nearest("adress", ["address", "zone"])).toBe("address");
    expect(nearest("colour", ["id", "name", "class", "zone"])).toBeUndefined();
    expect(didYouMean("colour", ["id", "name"])).toBe("");
    expect(didYouMean("nmae", ["id", "name"])).toBe("; did you mean name?");
  });
});
