import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "../../agent/agent.ts";
import { agentWith, conditionState, readingIn } from "../harness/agent-inproc.ts";
import { defaultDisplay, type PjlinkDisplay, startPjlinkDisplay } from "../peers/pjlink-server.ts";

/**
 * The PJLink driver and the pjlink-wall profile against displays written for the tests from the PJLink
 * specification (test/peers/pjlink-server.ts — Debian has no PJLink peer): one wall of tiles, each a
 * display; class 1 and class 2; MD5 authentication, a wrong password refused; a tile per error bit.
 */
const COMPONENTS = ["fan", "lamp", "temperature", "cover", "filter", "other"];
const PASSWORD = "JBMIAProjectorLink";

describe("PJLink wall", () => {
  const tiles: PjlinkDisplay[] = [];
  let agent: Agent;

  const tileYaml = (name: string, d: PjlinkDisplay) => `{ tile: "${name}", address: "127.0.0.1:${d.port}" }`;

  beforeAll(async () => {
    // t1: class 2, authenticated, on. t2: class 1, in standby. err-<component>: ERST 2 on that component only.
    tiles.push(await startPjlinkDisplay(defaultDisplay({ cls: 2, password: PASSWORD, lamps: [{ hours: 4321, on: true }, { hours: 17, on: false }] })));
    tiles.push(await startPjlinkDisplay(defaultDisplay({ power: 0, errors: "010000" })));
    for (const [i] of COMPONENTS.entries())
      tiles.push(await startPjlinkDisplay(defaultDisplay({ errors: "000000".slice(0, i) + "2" + "000000".slice(i + 1) })));
    // A tile whose password the site has wrong.
    tiles.push(await startPjlinkDisplay(defaultDisplay({ password: "another-password" })));
    const list = [
      tileYaml("1-1", tiles[0]!),
      tileYaml("1-2", tiles[1]!),
      ...COMPONENTS.map((c, i) => tileYaml(`err-${c}`, tiles[i + 2]!)),
      tileYaml("wrong-pw", tiles[8]!),
    ];
    agent = await agentWith([
      `  - { id: wall, name: 大屏, class: display, driver: pjlink, address: "127.0.0.1", profile: pjlink-wall, interval: 1h, timeout: 10s, options: { password: "${PASSWORD}", timeoutMs: 2000, tiles: [${list.join(", ")}] } }`,
      `  - { id: wall-down, name: 大屏2, class: display, driver: pjlink, address: "127.0.0.1:1", profile: pjlink-wall, interval: 1h, options: { timeoutMs: 500 } }`,
    ]);
  });

  afterAll(async () => {
    await agent?.stop();
    await Promise.all(tiles.map((t) => t.close()));
  });

  it("class 2 tile with MD5 authentication: power, lamps, input, name and model, serial, software, filter, resolution", async () => {
    const r = await agent.pollNow("wall");
    const t = { tile: "1-1" };
    expect(r?.up).toBe(true);
    expect(tiles[0]!.refused).toBe(0);
    expect(readingIn(r, "display_up", t)).toBe(1);
    expect(readingIn(r, "display_power_on", t)).toBe(1);
    expect(readingIn(r, "display_lamp_seconds", { ...t, lamp: "1" })).toBe(4321 * 3600);
    expect(readingIn(r, "display_lamp_seconds", { ...t, lamp: "2" })).toBe(17 * 3600);
    expect(readingIn(r, "display_lamp_on", { ...t, lamp: "2" })).toBe(0);
    expect(readingIn(r, "display_input", t)).toBe(31);
    expect(readingIn(r, "display_filter_seconds", t)).toBe(321 * 3600);
    expect(readingIn(r, "display_input_width_pixels", t)).toBe(1920);
    expect(readingIn(r, "display_input_height_pixels", t)).toBe(1080);
    const info = r?.readings.find((x) => x.name === "display_info" && x.labels.tile === "1-1");
    expect(info?.labels).toEqual({ tile: "1-1", class: "2", name: "WALL-TILE", manufacturer: "TESTCO", model: "TX-55", serial: "SN0001", software: "1.2.3" });
    expect(tiles[0]!.received).toContain("%2SNUM ?");
  });

  it("class 1 tile: no class 2 command is sent; in standby the input is unavailable (ERR3), not an error", async () => {
    const r = await agent.pollNow("wall");
    expect(tiles[1]!.received.filter((l) => l.startsWith("%2"))).toEqual([]);
    expect(readingIn(r, "display_power_on", { tile: "1-2" })).toBe(0);
    expect(readingIn(r, "display_power_state", { tile: "1-2" })).toBe(0);
    expect(readingIn(r, "display_input", { tile: "1-2" })).toBeUndefined();
    expect(r?.readings.find((x) => x.name === "display_info" && x.labels.tile === "1-2")?.labels.class).toBe("1");
  });

  it("each error bit is reported per tile and component; an error opens display.error, a warning does not", async () => {
    const r = await agent.pollNow("wall");
    for (const c of COMPONENTS) {
      for (const other of COMPONENTS) expect(readingIn(r, "display_error", { tile: `err-${c}`, component: other }), `${c}/${other}`).toBe(c === other ? 1 : 0);
      expect(conditionState(agent, "wall", "display.error", { tile: `err-${c}`, component: c })).toBe("firing");
    }
    expect(readingIn(r, "display_error", { tile: "1-2", component: "lamp" })).toBe(0);
    expect(readingIn(r, "display_warning", { tile: "1-2", component: "lamp" })).toBe(1);
    expect(conditionState(agent, "wall", "display.error", { tile: "1-2", component: "lamp" })).toBe("clear");
  });

  it("a wrong password is refused (PJLINK ERRA): that tile is unreachable, the others answer", async () => {
    await agent.pollNow("wall");
    const r = await agent.pollNow("wall");
    expect(tiles[8]!.refused).toBeGreaterThan(0);
    expect(tiles[8]!.received).toEqual([]);
    expect(readingIn(r, "display_up", { tile: "wrong-pw" })).toBe(0);
    expect(conditionState(agent, "wall", "display.unreachable", { tile: "wrong-pw" })).toBe("firing");
    expect(conditionState(agent, "wall", "display.unreachable", { tile: "1-1" })).toBe("clear");
  });

  it("a tile in standby during on-hours (no schedule: always) is display.power_off after two polls", async () => {
    expect(conditionState(agent, "wall", "display.power_off", { tile: "1-2" })).toBe("firing");
    expect(conditionState(agent, "wall", "display.power_off", { tile: "1-1" })).toBe("clear");
  });

  it("a wall where no tile answers is one device.unreachable, not a fault per tile", async () => {
    const r = await agent.pollNow("wall-down");
    expect(r?.up).toBe(false);
    expect(r?.error).toMatch(/no tile answered/);
  });
});

describe("PJLink on-hours", () => {
  it("outside the wall's on-hours a tile in standby is no fault", async () => {
    const d = await startPjlinkDisplay(defaultDisplay({ power: 0 }));
    // A schedule with no hours now: the one day that is not today, in Shanghai.
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const today = days[new Date(Date.now() + 8 * 3600_000).getUTCDay()]!;
    const other = days.find((x) => x !== today)!;
    const agent = await agentWith([
      `  - { id: w, name: w, class: display, driver: pjlink, address: "127.0.0.1:${d.port}", profile: pjlink-wall, interval: 1h, options: { onHours: { days: [${other}] } } }`,
    ]);
    try {
      for (let i = 0; i < 3; i++) expect(readingIn(await agent.pollNow("w"), "display_off_when_scheduled_on", { tile: "1" })).toBe(0);
      expect(conditionState(agent, "w", "display.power_off", { tile: "1" })).toBe("clear");
    } finally {
      await agent.stop();
      await d.close();
    }
  });
});
