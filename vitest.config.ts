import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}", "agent/**/*.test.ts", "collector/**/*.test.ts", "common/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Peer processes (snmpsim, pymodbus, snmpd) are heavy on a 2-core box; keep parallelism modest.
    maxWorkers: 2,
    // The bins spawned by tests run the sources (never a dist/ left by an earlier `npm run build`);
    // test/build.test.ts tests the build.
    env: { WATCHFLOOR_RUNTIME: "source" },
  },
});
