import { describe, expect, it } from "vitest";
import { clusterView, formatClusterView } from "./view.ts";

const NOW = Date.parse("2026-12-01T20:00:00+08:00");
const S = 1000;

describe("cluster status: roles from the lease and the heartbeats, not from what nodes said", () => {
  it("the live lease's holder is active; a node silent longer than the failover delay is unavailable; a polite stop is stopped", () => {
    const view = clusterView(
      {
        now: NOW,
        lease: { holder: { node: "collector-b", instance: "b1" }, epoch: 4, expiresAt: NOW + 55 * S },
        nodes: [
          // a was killed with SIGKILL while active: its row still says "active", 70 s ago.
          { node: "collector-a", instance: "a1", address: "http://10.0.0.1:8480", role: "active", lastHeartbeat: NOW - 70 * S, epoch: 3 },
          { node: "collector-b", instance: "b1", address: "http://10.0.0.2:8480", role: "active", lastHeartbeat: NOW - 5 * S, epoch: 4 },
          { node: "collector-c", instance: "c1", address: "http://10.0.0.3:8480", role: "stopped", lastHeartbeat: NOW - 600 * S },
          { node: "collector-d", instance: "d1", address: "http://10.0.0.4:8480", role: "standby", lastHeartbeat: NOW - 2 * S },
        ],
      },
      60,
      "Asia/Shanghai",
    );
    expect(view.map((n) => [n.node, n.role, n.heartbeat_age_seconds, n.lease_expires])).toEqual([
      ["collector-a", "unavailable", 70, undefined],
      ["collector-b", "active", 5, "2026-12-01T20:00:55+08:00"],
      ["collector-c", "stopped", 600, undefined],
      ["collector-d", "standby", 2, undefined],
    ]);
    expect(view[1]!.last_heartbeat).toBe("2026-12-01T19:59:55+08:00");
  });

  it("a lapsed lease makes nobody active; the killed holder's restarted process shows beside it while its old lease lives", () => {
    const rows = [
      { node: "collector-a", instance: "a1", address: "http://10.0.0.1:8480", role: "active" as const, lastHeartbeat: NOW - 20 * S },
      { node: "collector-a", instance: "a2", address: "http://10.0.0.1:8480", role: "standby" as const, lastHeartbeat: NOW - 1 * S },
    ];
    const alive = clusterView({ now: NOW, lease: { holder: { node: "collector-a", instance: "a1" }, epoch: 2, expiresAt: NOW + 40 * S }, nodes: rows }, 60, "Asia/Shanghai");
    expect(alive.map((n) => [n.node, n.role])).toEqual([
      ["collector-a", "standby"],
      ["collector-a", "active"],
    ]);
    const lapsed = clusterView({ now: NOW, lease: { holder: { node: "collector-a", instance: "a1" }, epoch: 2, expiresAt: NOW }, nodes: rows }, 60, "Asia/Shanghai");
    expect(lapsed.map((n) => [n.node, n.role])).toEqual([["collector-a", "standby"]]);
  });

  it("prints a table with the Chinese role beside the English one, columns aligned for CJK width", () => {
    const text = formatClusterView([
      { node: "collector-a", address: "http://10.0.0.1:8480", role: "active", last_heartbeat: "2026-12-01T19:59:58+08:00", heartbeat_age_seconds: 2, lease_expires: "2026-12-01T20:00:58+08:00" },
      { node: "collector-b", address: "http://10.0.0.2:8480", role: "unavailable", last_heartbeat: "2026-12-01T19:58:00+08:00", heartbeat_age_seconds: 120 },
    ]);
    // Column widths counted by hand: 11, 20, 16 (a CJK character is two columns), 37; two spaces between.
    const sp = (n: number) => " ".repeat(n);
    expect(text).toBe(
      [
        `NODE${sp(9)}ADDRESS${sp(15)}ROLE${sp(14)}LAST HEARTBEAT${sp(25)}LEASE EXPIRES`,
        `collector-a${sp(2)}http://10.0.0.1:8480${sp(2)}active 主用${sp(7)}2026-12-01T19:59:58+08:00 (2 s ago)${sp(4)}2026-12-01T20:00:58+08:00`,
        `collector-b${sp(2)}http://10.0.0.2:8480${sp(2)}unavailable 失联${sp(2)}2026-12-01T19:58:00+08:00 (120 s ago)${sp(2)}-`,
        "",
      ].join("\n"),
    );
  });
});
