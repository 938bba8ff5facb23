import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "agent/**/*.test.ts", "collector/**/*.test.ts", "common/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Peer processes (snmpsim, pymodbus, snmpd) are heavy on a 2-core box; keep parallelism modest.
    maxWorkers: 2,
  },
});
