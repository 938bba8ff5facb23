/**
 * Scenario lines of type "port" for `watchfloor replay`: a port's link going down or up as an SNMP
 * device reports it (trap and confirming poll). The agent's port selection decides, exactly as it does
 * live, whether that is an `if.down` condition: a monitored port's line becomes a condition line, any
 * other port's line becomes nothing (its readings would change, no fault opens).
 */
import { z } from "zod";
import { isMonitoredPort, type PortSelection } from "../common/ports.ts";

const portLine = z.strictObject({
  type: z.literal("port"),
  at: z.string(),
  device: z.string().min(1),
  /** The port's ifName (ifDescr when the device has no ifName). */
  ifname: z.string().min(1),
  /** Its description (ifAlias), which marks uplinks. */
  ifalias: z.string().optional(),
  admin: z.enum(["up", "down"]).default("up"),
  oper: z.enum(["up", "down"]),
  eventId: z.string().min(1).optional(),
});

/**
 * Rewrites every "port" line in place (line numbers unchanged): a condition line for a monitored port,
 * an empty line for any other. Other lines are left to the scenario parser.
 */
export function expandPortLines(
  text: string,
  selectionOf: (device: string) => PortSelection,
): { ok: true; text: string } | { ok: false; line: number; message: string } {
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    if (!row.startsWith("{") || !/"type"\s*:\s*"port"/.test(row)) continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      continue; // the scenario parser reports it with its line
    }
    const parsed = portLine.safeParse(value);
    if (!parsed.success)
      return {
        ok: false,
        line: i + 1,
        message: parsed.error.issues.map((e) => `${e.path.join(".") || "port"}: ${e.message}`).join("; "),
      };
    const p = parsed.data;
    const port = { ifname: p.ifname, adminUp: p.admin === "up", ...(p.ifalias !== undefined ? { ifalias: p.ifalias } : {}) };
    rows[i] = isMonitoredPort(selectionOf(p.device), port)
      ? JSON.stringify({
          type: "condition",
          at: p.at,
          device: p.device,
          condition: "if.down",
          state: p.oper === "down" ? "firing" : "clear",
          labels: { ifname: p.ifname },
          ...(p.eventId !== undefined ? { eventId: p.eventId } : {}),
        })
      : "";
  }
  return { ok: true, text: rows.join("\n") };
}
