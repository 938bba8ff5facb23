/**
 * SNMP walk files for `watchfloor profile test`: snmpsim's .snmprec (`OID|TYPE|VALUE`) as is, or the
 * text Debian's `snmpwalk -On` / `snmpbulkwalk -On` prints (`.1.3.6.1.2.1.1.5.0 = STRING: "sw-1"`),
 * turned into .snmprec. Pure.
 */

/** snmprec type tags (snmpsim's, = the BER tag numbers). */
const TAG: Record<string, string> = {
  INTEGER: "2",
  STRING: "4",
  "Hex-STRING": "4x",
  OID: "6",
  IpAddress: "64",
  Counter32: "65",
  Gauge32: "66",
  Timeticks: "67",
  Opaque: "68",
  Counter64: "70",
  "Network Address": "64",
  BITS: "4x",
};

export interface WalkEntry {
  oid: string;
  tag: string;
  value: string;
}

export class WalkFormatError extends Error {}

const numeric = (oid: string) => oid.replace(/^\./, "");

/** Parses either format; throws WalkFormatError naming the line that is neither. */
export function parseWalk(text: string): WalkEntry[] {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "" && !l.startsWith("#"));
  if (first && /^\.?\d+(\.\d+)+\|/.test(first)) return parseSnmprec(lines);
  return parseSnmpwalk(lines);
}

function parseSnmprec(lines: string[]): WalkEntry[] {
  const out: WalkEntry[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const m = /^(\.?\d+(?:\.\d+)*)\|([0-9a-z:]+)\|(.*)$/.exec(line);
    if (!m)
      throw new WalkFormatError(
        `line ${i + 1}: expected OID|TYPE|VALUE (snmprec), got ${JSON.stringify(line.slice(0, 80))}`,
      );
    out.push({ oid: numeric(m[1]!), tag: m[2]!, value: m[3]! });
  });
  return out;
}

function parseSnmpwalk(lines: string[]): WalkEntry[] {
  const out: WalkEntry[] = [];
  let open: { entry: WalkEntry; quoted: boolean } | undefined;
  lines.forEach((line, i) => {
    const m = /^(\.?\d+(?:\.\d+)+)\s*=\s*(?:([A-Za-z0-9 -]+):\s?)?(.*)$/.exec(line);
    if (!m) {
      // A quoted STRING that spans lines continues until its closing quote.
      if (open?.quoted) {
        open.entry.value += `\n${line}`;
        if (line.endsWith('"')) open = undefined;
        return;
      }
      if (line.trim() === "" || line.startsWith("#")) return;
      throw new WalkFormatError(
        `line ${i + 1}: expected snmpwalk -On output (".1.3.6.1… = TYPE: value") or snmprec (OID|TYPE|VALUE), got ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const [, oid, type, raw] = m as unknown as [string, string, string | undefined, string];
    if (/^No (Such|more)/.test(raw) || type === undefined) {
      // `= ""` (an empty string) has no type word; "No Such Object" and "No more variables" are not values.
      if (type === undefined && raw.trim() === '""') out.push({ oid: numeric(oid), tag: "4", value: "" });
      open = undefined;
      return;
    }
    const tag = TAG[type.trim()];
    if (!tag) throw new WalkFormatError(`line ${i + 1}: unknown SNMP type ${type.trim()}`);
    const entry = { oid: numeric(oid), tag, value: decodeValue(type.trim(), raw) };
    out.push(entry);
    open =
      type.trim() === "STRING" && raw.startsWith('"') && !(raw.length > 1 && raw.endsWith('"'))
        ? { entry, quoted: true }
        : undefined;
  });
  for (const e of out) if (e.tag === "4" && e.value.startsWith('"')) e.value = unquote(e.value);
  return out;
}

function unquote(v: string): string {
  return v.replace(/^"/, "").replace(/"$/, "").replace(/\\"/g, '"');
}

function decodeValue(type: string, raw: string): string {
  const v = raw.trim();
  switch (type) {
    case "INTEGER":
      // With MIBs loaded snmpwalk prints `up(1)`; the number is what the device sent.
      return /\((-?\d+)\)$/.exec(v)?.[1] ?? v;
    case "Timeticks":
      return /^\((\d+)\)/.exec(v)?.[1] ?? v;
    case "Hex-STRING":
    case "BITS":
      return v.replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
    case "OID":
      return numeric(v);
    case "Gauge32":
    case "Counter32":
    case "Counter64":
      return /^-?\d+/.exec(v)?.[0] ?? v;
    default:
      return v;
  }
}

/** The entries as a .snmprec file, sorted by OID as snmpsim wants them. */
export function toSnmprec(entries: readonly WalkEntry[]): string {
  const arcs = (o: string) => o.split(".").map(Number);
  const sorted = [...entries].sort((a, b) => {
    const x = arcs(a.oid);
    const y = arcs(b.oid);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
  return `${sorted.map((e) => `${e.oid}|${e.tag}|${e.tag === "4" ? e.value.replace(/\n/g, " ") : e.value}`).join("\n")}\n`;
}
