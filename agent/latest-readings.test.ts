import { Counter, Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LatestReadings } from "./latest-readings.ts";
import type { Reading } from "./profiles/map.ts";

async function page(store: LatestReadings): Promise<string> {
  let text = "";
  await store.write(async (chunk) => {
    text += chunk.toString();
  });
  return text;
}

const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).sort();

const port = (ifname: string, up: number, octets: number): Reading[] => [
  { name: "if_oper_up", labels: { ifname }, value: up },
  { name: "if_in_octets_total", labels: { ifname }, value: octets },
];

describe("the latest readings on /metrics", () => {
  it("writes the same series and values as prom-client's own exposition of them (escaping included)", async () => {
    const odd = 'Gi1/0/1, "uplink"\\core\nrear';
    const store = new LatestReadings("watchfloor_");
    store.set("sw-1", [...port("Gi1/0/1", 1, 123456789012), ...port(odd, 0, 0.5)]);
    store.set("ups-1", [{ name: "ups_output_load_ratio", labels: { line: "1" }, value: 0.42 }]);

    // The reference: prom-client (a mature client library) given the same series.
    const registry = new Registry();
    const up = new Gauge({ name: "watchfloor_if_oper_up", help: "x", labelNames: ["device", "ifname"], registers: [registry] });
    const octets = new Counter({ name: "watchfloor_if_in_octets_total", help: "x", labelNames: ["device", "ifname"], registers: [registry] });
    const load = new Gauge({ name: "watchfloor_ups_output_load_ratio", help: "x", labelNames: ["device", "line"], registers: [registry] });
    up.set({ device: "sw-1", ifname: "Gi1/0/1" }, 1);
    up.set({ device: "sw-1", ifname: odd }, 0);
    octets.inc({ device: "sw-1", ifname: "Gi1/0/1" }, 123456789012);
    octets.inc({ device: "sw-1", ifname: odd }, 0.5);
    load.set({ device: "ups-1", line: "1" }, 0.42);
    const reference = await registry.metrics();

    const ours = await page(store);
    expect(samples(ours)).toEqual(samples(reference));
    const types = (t: string) => t.split("\n").filter((l) => l.startsWith("# TYPE")).sort();
    expect(types(ours)).toEqual(types(reference));
  });

  it("a poll with the same series changes the numbers only; one with other series replaces them", async () => {
    const store = new LatestReadings("watchfloor_");
    store.set("sw-1", [...port("Gi1/0/1", 1, 10), ...port("Gi1/0/2", 1, 20)]);
    store.set("sw-1", [...port("Gi1/0/1", 0, 11), ...port("Gi1/0/2", 1, 21)]);
    expect(samples(await page(store))).toEqual(
      [
        'watchfloor_if_oper_up{device="sw-1",ifname="Gi1/0/1"} 0',
        'watchfloor_if_oper_up{device="sw-1",ifname="Gi1/0/2"} 1',
        'watchfloor_if_in_octets_total{device="sw-1",ifname="Gi1/0/1"} 11',
        'watchfloor_if_in_octets_total{device="sw-1",ifname="Gi1/0/2"} 21',
      ].sort(),
    );
    // A port gone and one added: the page follows the last poll, nothing of the old port stays.
    store.set("sw-1", [...port("Gi1/0/2", 1, 22), ...port("Gi1/0/3", 1, 30)]);
    const text = await page(store);
    expect(text).not.toContain("Gi1/0/1");
    expect(samples(text)).toContain('watchfloor_if_in_octets_total{device="sw-1",ifname="Gi1/0/3"} 30');
    expect(samples(text)).toHaveLength(4);
  });

  it("hands the page over in chunks of bounded size, each family once with its HELP and TYPE", async () => {
    const store = new LatestReadings("watchfloor_");
    for (let d = 0; d < 200; d++)
      store.set(`sw-${d}`, Array.from({ length: 48 }, (_, p) => port(`GigabitEthernet1/0/${p + 1}`, 1, p)).flat());
    const chunks: string[] = [];
    await store.write(async (c) => {
      chunks.push(c.toString());
    });
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.length).toBeLessThan(128 * 1024);
    const text = chunks.join("");
    expect(text.match(/^# TYPE watchfloor_if_oper_up gauge$/gm)).toHaveLength(1);
    expect(text.match(/^# TYPE watchfloor_if_in_octets_total counter$/gm)).toHaveLength(1);
    expect(samples(text)).toHaveLength(200 * 48 * 2);
  });

  it("a chunk stays as it was until the writer is done with it, however late (its memory is then reused)", async () => {
    const store = new LatestReadings("watchfloor_");
    for (let d = 0; d < 100; d++)
      store.set(`sw-${d}`, Array.from({ length: 48 }, (_, p) => port(`GigabitEthernet1/0/${p + 1}`, p % 2, d * 1000 + p)).flat());
    const expected = await page(store);
    // A slow socket: each chunk is read only when the writer resolves, 5 ms later.
    let late = "";
    await store.write(
      (chunk) =>
        new Promise<void>((done) =>
          setTimeout(() => {
            late += chunk.toString();
            done();
          }, 5),
        ),
    );
    expect(late).toBe(expected);
    expect(samples(late)).toContain('watchfloor_if_in_octets_total{device="sw-99",ifname="GigabitEthernet1/0/48"} 99047');
  });

  it("skips a reading whose name an agent metric already has, so the page stays valid", async () => {
    const store = new LatestReadings("watchfloor_", (name) => name === "watchfloor_device_up");
    store.set("ups-1", [
      { name: "device_up", labels: {}, value: 1 },
      { name: "ups_on_battery", labels: {}, value: 0 },
    ]);
    const text = await page(store);
    expect(text).not.toContain("watchfloor_device_up");
    expect(text).toContain('watchfloor_ups_on_battery{device="ups-1"} 0');
  });
});
