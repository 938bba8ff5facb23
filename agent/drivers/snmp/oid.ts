/**
 * Numeric OID order (1.3.6.1.10 sorts after 1.3.6.1.9), as SNMP walks define "increasing". Compares the
 * strings arc by arc in place: a walk compares every varbind it receives, so no split arrays.
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    for (let c = a.charCodeAt(i); i < a.length && c !== 46; c = a.charCodeAt(++i)) x = x * 10 + (c - 48);
    let y = 0;
    for (let c = b.charCodeAt(j); j < b.length && c !== 46; c = b.charCodeAt(++j)) y = y * 10 + (c - 48);
    if (x !== y) return x < y ? -1 : 1;
    i++;
    j++;
  }
  const aDone = i >= a.length;
  const bDone = j >= b.length;
  return aDone === bDone ? 0 : aDone ? -1 : 1;
}

/** The row index of `oid` under `column` ("3" for ifOperStatus.3), or undefined when outside it. */
export function indexUnder(column: string, oid: string): string | undefined {
  return oid.length > column.length && oid.charCodeAt(column.length) === 46 && oid.startsWith(column)
    ? oid.slice(column.length + 1)
    : undefined;
}
