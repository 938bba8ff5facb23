import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { resolveSecretText, Secret } from "./secret.ts";

describe("secrets", () => {
  it("resolve from env and file", () => {
    expect(resolveSecretText("${env:WF_X}", { WF_X: "s3cret" })).toEqual({ ok: true, value: "s3cret" });
    const f = join(tmpdir(), `wf-secret-${process.pid}`);
    writeFileSync(f, "from-file\n");
    expect(resolveSecretText(`\${file:${f}}`)).toEqual({ ok: true, value: "from-file" });
    expect(resolveSecretText("${env:WF_NOPE}", {})).toEqual({ ok: false, error: "environment variable WF_NOPE is not set" });
    expect(resolveSecretText("${file:/nonexistent/x}").ok).toBe(false);
  });

  it("never print: JSON, inspect, template strings all say [secret]", () => {
    const s = new Secret("hunter2");
    const all = [JSON.stringify({ token: s }), inspect({ token: s }), `${s}`, String(s)].join(" ");
    expect(all).not.toContain("hunter2");
    expect(s.reveal()).toBe("hunter2");
  });
});
