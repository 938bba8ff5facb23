/** Fault identity for dedupe: device + condition + labels sorted by name. */

export function faultKey(device: string, condition: string, labels: Record<string, string> = {}): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
  return `${device}|${condition}|${sorted}`;
}

export function manualKey(device: string, faultId: string): string {
  return `${device}|manual|${faultId}`;
}
