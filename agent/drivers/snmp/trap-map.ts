import type { ProfileTrap } from "../../profiles/schema.ts";

/** A trap as the receiver hands it over: its OID and varbinds as text. */
export interface Trap {
  oid: string;
  varbinds: { oid: string; value: string }[];
}

export type TrapAction =
  | {
      kind: "condition";
      condition: string;
      state: "firing" | "clear";
      labels: Record<string, string>;
      title?: string;
      class?: ProfileTrap["class"];
    }
  | { kind: "poll" }
  | { kind: "unknown" };

const SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0";
const STANDARD_TRAP = "1.3.6.1.6.3.1.1.5";
const IF_NAME = "1.3.6.1.2.1.31.1.1.1.1";
const IF_DESCR = "1.3.6.1.2.1.2.2.1.2";
const IF_INDEX = "1.3.6.1.2.1.2.2.1.1";
const UPS_ALARM_DESCR = "1.3.6.1.2.1.33.1.6.2.1.2";

/** RFC 1628 well-known alarms (upsWellKnownAlarms 1.3.6.1.2.1.33.1.6.3.N) that are conditions of ours. */
const UPS_ALARMS: Record<string, string> = {
  "1": "ups.battery_replace",
  "2": "ups.on_battery",
  "3": "ups.battery_low",
  "4": "ups.battery_depleted",
  "8": "ups.overload",
  "9": "ups.bypass",
};

const strip = (oid: string) => oid.replace(/^\./, "");

/** The trap OID of a v1 trap (generic 0–5 → the SNMPv2 standard traps, 6 → enterprise.0.specific, RFC 3584). */
export function v1TrapOid(enterprise: string, generic: number, specific: number): string {
  return generic === 6 ? `${strip(enterprise)}.0.${specific}` : `${STANDARD_TRAP}.${generic + 1}`;
}

/** A v2c/v3 trap's OID is the value of snmpTrapOID.0, its second varbind. */
export function v2TrapOid(varbinds: { oid: string; value: string }[]): string | undefined {
  return varbinds.find((v) => strip(v.oid) === SNMP_TRAP_OID)?.value;
}

function varbindUnder(trap: Trap, prefix: string): { oid: string; value: string } | undefined {
  return trap.varbinds.find((v) => strip(v.oid).startsWith(`${prefix}.`));
}

/** IF-MIB ifTable and ifXTable columns: a varbind under either ends in the port's ifIndex. */
const IF_TABLE = "1.3.6.1.2.1.2.2.1.";
const IFX_TABLE = "1.3.6.1.2.1.31.1.1.1.";

/**
 * The port a linkDown/linkUp trap names: ifName, ifDescr or "ifIndex N" as the ifname label, and the
 * ifIndex (from the ifIndex varbind or the index every IF-MIB varbind ends in) as `ifindex`, so the
 * agent can name the port the way its polls do (a trap may carry ifDescr where polls read ifName).
 */
function ifLabels(trap: Trap): Record<string, string> {
  const named = varbindUnder(trap, IF_NAME) ?? varbindUnder(trap, IF_DESCR);
  let index = varbindUnder(trap, IF_INDEX)?.value;
  if (index === undefined)
    for (const v of trap.varbinds) {
      const oid = strip(v.oid);
      const column = oid.startsWith(IF_TABLE) ? IF_TABLE : oid.startsWith(IFX_TABLE) ? IFX_TABLE : undefined;
      const rest = column ? oid.slice(column.length).split(".") : [];
      if (rest.length === 2 && /^\d+$/.test(rest[1]!)) {
        index = rest[1];
        break;
      }
    }
  const ifname = named ? named.value : index !== undefined ? `ifIndex ${index}` : "unknown";
  return index !== undefined ? { ifname, ifindex: index } : { ifname };
}

/** The standard traps every SNMP device may send (SNMPv2-MIB, IF-MIB, UPS-MIB). */
function standardAction(trap: Trap): TrapAction | undefined {
  switch (strip(trap.oid)) {
    case `${STANDARD_TRAP}.1`: // coldStart
    case `${STANDARD_TRAP}.2`: // warmStart
      return { kind: "poll" };
    case `${STANDARD_TRAP}.3`:
      return { kind: "condition", condition: "if.down", state: "firing", labels: ifLabels(trap) };
    case `${STANDARD_TRAP}.4`:
      return { kind: "condition", condition: "if.down", state: "clear", labels: ifLabels(trap) };
    case "1.3.6.1.2.1.33.2.1": // upsTrapOnBattery
      return { kind: "condition", condition: "ups.on_battery", state: "firing", labels: {} };
    case "1.3.6.1.2.1.33.2.3": // upsTrapAlarmEntryAdded
    case "1.3.6.1.2.1.33.2.4": {
      const state = strip(trap.oid).endsWith(".3") ? "firing" : "clear";
      const descr = strip(varbindUnder(trap, UPS_ALARM_DESCR)?.value ?? "");
      const wellKnown = descr.startsWith("1.3.6.1.2.1.33.1.6.3.") ? UPS_ALARMS[descr.slice(21)] : undefined;
      if (wellKnown) return { kind: "condition", condition: wellKnown, state, labels: {} };
      return { kind: "condition", condition: "ups.alarm", state, labels: { alarm: descr || "unknown" } };
    }
    default:
      return undefined;
  }
}

/** What a trap means for its device: a profile's own trap first, then the standard ones. */
export function trapAction(trap: Trap, profileTraps: readonly ProfileTrap[] = []): TrapAction {
  const mine = profileTraps.find((t) => strip(t.oid) === strip(trap.oid));
  if (mine) {
    const labels: Record<string, string> = {};
    for (const [label, prefix] of Object.entries(mine.labels))
      labels[label] = varbindUnder(trap, strip(prefix))?.value ?? "";
    return {
      kind: "condition",
      condition: mine.condition,
      state: mine.state,
      labels,
      title: mine.title,
      class: mine.class,
    };
  }
  return standardAction(trap) ?? { kind: "unknown" };
}
