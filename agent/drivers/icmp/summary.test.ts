import { describe, expect, it } from "vitest";
import { parsePingSummary } from "./summary.ts";

// Outputs of Debian 12's iputils ping (20221126), captured on this machine.
describe("iputils ping summary", () => {
  it.each([
    [
      "--- 127.0.0.1 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 433ms\nrtt min/avg/max/mdev = 0.013/0.027/0.036/0.010 ms\n",
      { transmitted: 3, received: 3, rttMs: { min: 0.013, avg: 0.027, max: 0.036 } },
    ],
    [
      "--- 192.0.2.77 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 415ms\n\n",
      { transmitted: 3, received: 0 },
    ],
    [
      "--- 198.51.100.1 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n",
      { transmitted: 1, received: 0 },
    ],
  ])("%#", (output, expected) => {
    expect(parsePingSummary(output)).toEqual(expected);
  });

  it("no summary when ping did not run", () => {
    expect(parsePingSummary("ping: nonexistent.invalid: Name or service not known\n")).toBeUndefined();
  });
});
