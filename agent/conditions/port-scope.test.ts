import { describe, expect, it } from "vitest";
import type { PortFacts } from "../../common/ports.ts";
import { portFactsOf, samePortFacts } from "./port-scope.ts";

const ports = (...list: PortFacts[]) => new Map(list.map((p) => [p.ifname, p]));

describe("port facts from one poll", () => {
  it("reads each port's alias, index and admin status from its readings", () => {
    const facts = portFactsOf([
      { name: "if_oper_up", labels: { ifname: "Gi1/0/1", ifalias: "uplink core", ifindex: "1" }, value: 1 },
      { name: "if_admin_up", labels: { ifname: "Gi1/0/1", ifalias: "uplink core", ifindex: "1" }, value: 1 },
      { name: "if_admin_up", labels: { ifname: "Gi1/0/2", ifalias: "", ifindex: "2" }, value: 2 },
    ]);
    expect(facts).toEqual(
      ports({ ifname: "Gi1/0/1", ifalias: "uplink core", ifindex: "1", adminUp: true }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: false }),
    );
  });

  it("tells a poll that changed nothing about the ports from one that changed an alias, a status, an index or the set", () => {
    const a = ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "1", adminUp: true }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: true });
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "1", adminUp: true }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: true }))).toBe(true);
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "to core", ifindex: "1", adminUp: true }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: true }))).toBe(false);
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "1", adminUp: false }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: true }))).toBe(false);
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "9", adminUp: true }, { ifname: "Gi1/0/2", ifindex: "2", adminUp: true }))).toBe(false);
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "1", adminUp: true }))).toBe(false);
    expect(samePortFacts(a, ports({ ifname: "Gi1/0/1", ifalias: "uplink", ifindex: "1", adminUp: true }, { ifname: "Gi1/0/3", ifindex: "2", adminUp: true }))).toBe(false);
  });
});
