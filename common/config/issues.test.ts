import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssue, knownKeysAt } from "./issues.ts";

const channel = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("wecom"), url: z.string() }),
  z.strictObject({ type: z.literal("email"), host: z.string(), port: z.number().default(587) }),
]);
const file = z.strictObject({ channels: z.array(channel), timeout: z.union([z.number(), z.string()]).optional() });

function messages(data: unknown): string[] {
  const r = file.safeParse(data);
  return r.success ? [] : r.error.issues.map((i) => describeIssue(i, file, data));
}

describe("config error wording", () => {
  it("lists the keys of the union branch the data chose", () => {
    const data = { channels: [{ type: "email", host: "mx", prot: 25 }] };
    expect(knownKeysAt(file, ["channels", 0], data)).toEqual(["type", "host", "port"]);
    expect(messages(data)).toEqual(["unknown key prot; did you mean port? (allowed here: type, host, port)"]);
  });

  it("names the allowed values of a discriminator instead of zod's jargon", () => {
    expect(messages({ channels: [{ type: "wechat", url: "u" }] })).toEqual([
      '"wechat" is not a known type: expected one of "wecom", "email"',
    ]);
  });

  it("says what each form of a plain union expects", () => {
    expect(messages({ channels: [], timeout: true })).toEqual(["expected a number or a string"]);
  });

  it("says a missing value is required", () => {
    expect(messages({ channels: [{ type: "wecom" }] })).toEqual(["required: expected a string"]);
  });
});
