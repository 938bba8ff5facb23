import { isSelectedPort, type PortFacts, type PortSelection } from "../../common/ports.ts";
import type { Reading } from "../profiles/map.ts";
import type { Observation } from "./evaluate.ts";

/** What one poll says of each port (by its ifname label): description and admin status. */
export function portFactsOf(readings: readonly Reading[]): Map<string, PortFacts> {
  const ports = new Map<string, PortFacts>();
  for (const r of readings) {
    const ifname = r.labels.ifname;
    if (ifname === undefined) continue;
    const p = ports.get(ifname) ?? { ifname };
    ports.set(ifname, p);
    if (r.labels.ifalias !== undefined && r.labels.ifalias !== "") p.ifalias = r.labels.ifalias;
    if (r.labels.ifindex !== undefined) p.ifindex = r.labels.ifindex;
    if (r.name === "if_admin_up") p.adminUp = r.value === 1;
  }
  return ports;
}

/** The same ports with the same facts (then an agent keeps the facts it has, and drops the new copy). */
export function samePortFacts(a: ReadonlyMap<string, PortFacts>, b: ReadonlyMap<string, PortFacts>): boolean {
  if (a.size !== b.size) return false;
  for (const [ifname, p] of b) {
    const q = a.get(ifname);
    if (!q || q.ifalias !== p.ifalias || q.adminUp !== p.adminUp || q.ifindex !== p.ifindex) return false;
  }
  return true;
}

/**
 * Keeps a port-scoped condition's observations for the selected ports only, labelled by ifname alone
 * (the same instance a linkDown trap raises); a selected port shut down by an administrator is observed
 * clear. Other conditions pass unchanged.
 */
export function scopeToPorts(
  observations: readonly Observation[],
  ports: ReadonlyMap<string, PortFacts>,
  selection: PortSelection,
): Observation[] {
  const out: Observation[] = [];
  for (const o of observations) {
    if (o.condition.ports !== "monitored") {
      out.push(o);
      continue;
    }
    const ifname = o.labels.ifname;
    if (ifname === undefined) continue;
    const port = ports.get(ifname) ?? { ifname };
    if (!isSelectedPort(selection, port)) continue;
    // A selected port an administrator shut down is clear: a decision, not a failure.
    out.push({ ...o, labels: { ifname }, observed: port.adminUp === false ? false : o.observed });
  }
  return out;
}
