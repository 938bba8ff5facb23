/**
 * Whether a suite that needs a real peer (snmpsim, snmpd, chromium, …) should be skipped.
 *
 * Outside CI a missing peer skips the suite and says why. With `CI=true` a missing peer is a failure,
 * never a skip: the suite is replaced by one failing test that names the peer and the package to install.
 */
import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";

export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? "").toLowerCase();
  return ci !== "" && ci !== "0" && ci !== "false";
}

/** What to do with a suite whose peer may be missing. */
export function peerDecision(missing: string | undefined, ci: boolean): "run" | "skip" | "fail" {
  if (!missing) return "run";
  return ci ? "fail" : "skip";
}

/** Returns true when the suite body must not run. Use as `describe.skipIf(skipWithout(missing, "…"))`. */
export function skipWithout(missing: string | undefined, suite: string): boolean {
  const decision = peerDecision(missing, inCI());
  if (decision === "fail") {
    describe(`${suite} (required peer)`, () => {
      it("has its peer installed (CI=true turns a missing peer into a failure)", () => {
        throw new Error(`${suite}: ${missing}`);
      });
    });
  } else if (decision === "skip") {
    console.warn(`${suite} skipped: ${missing}`);
  }
  return decision !== "run";
}

/** Why a suite cannot run when one of `commands` is not on PATH, naming the Debian packages; else undefined. */
export function commandsMissing(commands: string[], packages: string): string | undefined {
  try {
    execFileSync("sh", ["-c", commands.map((c) => `command -v ${c}`).join(" && ")], { stdio: "ignore" });
    return undefined;
  } catch {
    return `${commands.join(" / ")} not installed (Debian package${packages.includes(" ") ? "s" : ""} ${packages})`;
  }
}
