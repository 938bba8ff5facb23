import { z } from "zod";
import { regexText } from "./config/regex.ts";

/**
 * Which ports of a device may open a port fault (`if.down`). Every port still gives its readings; only
 * these open a fault. The default is what a network engineer monitors on an access switch: its uplinks
 * (aggregated links, and ports whose description says uplink), not the seat ports that go dark every
 * night when the PCs are switched off.
 */
export const portSelectionSchema = z
  .strictObject({
    /** Aggregated links (Eth-Trunk, Port-channel, Bridge-Aggregation, ae, bond) and ports whose ifAlias names an uplink. */
    uplinks: z.boolean().default(true),
    /** ifName (or ifDescr, as the ifname label) of each further port, exactly. */
    names: z.array(z.string().min(1)).default([]),
    /** A regular expression (case-insensitive) on ifAlias, the port description: "server|printer". */
    alias: regexText("i").optional(),
    /** Every port whose admin status is up (core switches, firewalls: every cabled port matters). */
    adminUp: z.boolean().default(false),
  })
  .default({ uplinks: true, names: [], adminUp: false });
export type PortSelection = z.infer<typeof portSelectionSchema>;

/** What is known of one port: its ifname label, and, once polled, its description and admin status. */
export interface PortFacts {
  ifname: string;
  ifalias?: string;
  adminUp?: boolean;
  /** The port's ifIndex where the device has one (SNMP). */
  ifindex?: string;
}

/** Names vendors give link aggregations, which on an access switch are its uplinks. */
const AGGREGATE = /^(eth-trunk|port-channel|po|bridge-aggregation|route-aggregation|ae|bond|lag|trk)[ -]?\d+/i;
/** Descriptions that mark an uplink (English and Chinese as engineers write them). */
// Whole words only (letters around them end a word, "_" and digits do not): "wang.li" is a seat, "Uplink_to_Core" is not.
const UPLINK_ALIAS = /(?<![a-z])(up-?links?|trunk|wan|core|to[-_ ]?(agg|dist))(?![a-z])|上联|互联|核心|汇聚/i;

export function isUplink(port: PortFacts): boolean {
  return AGGREGATE.test(port.ifname) || (port.ifalias !== undefined && UPLINK_ALIAS.test(port.ifalias));
}

/** Whether the selection covers a port, whatever its admin status ("all with admin up" covers every port). */
export function isSelectedPort(sel: PortSelection, port: PortFacts): boolean {
  if (sel.names.includes(port.ifname)) return true;
  if (sel.uplinks && isUplink(port)) return true;
  if (sel.alias !== undefined && port.ifalias !== undefined && new RegExp(sel.alias, "i").test(port.ifalias))
    return true;
  return sel.adminUp;
}

/**
 * Whether a port's link-down is a fault: it is selected and not shut down by an administrator (that is a
 * decision, not a failure). A port whose description and admin status are not known yet (a trap before
 * the first poll) counts when the selection names it or its name is an aggregate.
 */
export function isMonitoredPort(sel: PortSelection, port: PortFacts): boolean {
  return port.adminUp !== false && isSelectedPort(sel, port);
}
