import { describe, expect, it } from "vitest";
import { newFaultId } from "../../collector/fault-service.ts";

describe("fault ids", () => {
  it("are distinct in a storm's burst and sort in the order they were minted (indexes grow at their end)", () => {
    const ids = Array.from({ length: 10_000 }, () => newFaultId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^F-[0-9a-f]{16}$/);
  });

  it("start with the minting time in ms (hex), so an id minted now sorts after one minted a second ago", () => {
    const before = Date.now();
    const id = newFaultId();
    expect(Number.parseInt(id.slice(2, 13), 16)).toBeGreaterThanOrEqual(before);
    expect(id > `F-${(before - 1000).toString(16).padStart(11, "0")}fffff`).toBe(true);
  });
});
