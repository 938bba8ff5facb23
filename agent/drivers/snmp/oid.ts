/** Numeric OID order (1.3.6.1.10 sorts after 1.3.6.1.9), as SNMP walks define "increasing". */
export function compareOids(a: string, b: string): number {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** The row index of `oid` under `column` ("3" for ifOperStatus.3), or undefined when outside it. */
export function indexUnder(column: string, oid: string): string | undefined {
  return oid.startsWith(`${column}.`) ? oid.slice(column.length + 1) : undefined;
}
