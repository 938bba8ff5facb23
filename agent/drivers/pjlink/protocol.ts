import { createHash } from "node:crypto";

/**
 * PJLink framing (PJLink Specifications, JBMIA, version 1.04 for class 1 and 2.00 for class 2): TCP
 * port 4352, lines ended by CR. On connect the display greets "PJLINK 0" (no authentication) or
 * "PJLINK 1 <random>" (authentication); the client then sends MD5(random + password) as 32 hex digits
 * immediately before its first command. A wrong digest is answered "PJLINK ERRA". Commands are
 * "%<class><CMD> <param>", answers "%<class><CMD>=<value>", errors ERR1 (undefined command), ERR2 (out
 * of parameter), ERR3 (unavailable time, e.g. in standby), ERR4 (display failure). Pure.
 */

export type Greeting = { auth: false } | { auth: true; random: string } | { error: string };

export function parseGreeting(line: string): Greeting {
  if (line === "PJLINK 0") return { auth: false };
  const m = /^PJLINK 1 ([0-9A-Za-z]{1,32})$/.exec(line);
  if (m) return { auth: true, random: m[1]! };
  if (line === "PJLINK ERRA") return { error: "authentication refused (PJLINK ERRA)" };
  return { error: `not a PJLink greeting: ${JSON.stringify(line.slice(0, 40))}` };
}

export function authDigest(random: string, password: string): string {
  return createHash("md5").update(random + password).digest("hex");
}

export function command(cls: 1 | 2, cmd: string, param = "?"): string {
  return `%${cls}${cmd} ${param}\r`;
}

export type Answer = { ok: true; value: string } | { ok: false; error: string };

const ERRORS: Record<string, string> = {
  ERR1: "undefined command",
  ERR2: "out of parameter",
  ERR3: "unavailable time",
  ERR4: "display failure",
};

/** An answer line to `%<cls><cmd>`: its value, or the PJLink error it carries. */
export function parseAnswer(line: string, cls: 1 | 2, cmd: string): Answer {
  if (line === "PJLINK ERRA") return { ok: false, error: "authentication refused (PJLINK ERRA)" };
  const prefix = `%${cls}${cmd}=`;
  if (!line.toUpperCase().startsWith(prefix.toUpperCase()))
    return { ok: false, error: `unexpected answer to ${cmd}: ${JSON.stringify(line.slice(0, 40))}` };
  const value = line.slice(prefix.length);
  const err = ERRORS[value.toUpperCase()];
  return err ? { ok: false, error: `${cmd}: ${value} (${err})` } : { ok: true, value };
}

/** ERST: six digits, fan, lamp, temperature, cover, filter, other; 0 ok, 1 warning, 2 error. */
export const COMPONENTS = ["fan", "lamp", "temperature", "cover", "filter", "other"] as const;

export function parseErrorStatus(value: string): Record<(typeof COMPONENTS)[number], number> | undefined {
  if (!/^[0-2]{6}$/.test(value)) return undefined;
  return Object.fromEntries(COMPONENTS.map((c, i) => [c, Number(value[i])])) as Record<(typeof COMPONENTS)[number], number>;
}

/** LAMP: "hours on/off" pairs, one per lamp (up to 8). */
export function parseLamps(value: string): { hours: number; on: boolean }[] | undefined {
  const parts = value.trim().split(/\s+/);
  if (parts.length % 2 !== 0 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const lamps: { hours: number; on: boolean }[] = [];
  for (let i = 0; i < parts.length; i += 2) lamps.push({ hours: Number(parts[i]), on: parts[i + 1] === "1" });
  return lamps;
}

/** IRES: "1920x1080"; "-" no signal, "*" unknown. */
export function parseResolution(value: string): { width: number; height: number } | undefined {
  const m = /^(\d+)x(\d+)$/.exec(value);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** An input code as a number: class 1 codes are decimal ("31"); class 2 may use 1–9 and A–Z ("3A"), read in base 36. */
export function inputNumber(value: string): number | undefined {
  if (/^\d{2}$/.test(value)) return Number(value);
  return /^[1-9A-Z][1-9A-Z]$/i.test(value) ? Number.parseInt(value, 36) : undefined;
}
