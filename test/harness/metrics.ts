/**
 * One sample from Prometheus text exposition: the value of `name` whose labels include `labels`
 * (summed over the matching series), 0 when there is none.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

/** Scrapes a /metrics URL and reads one sample. */
export async function scrape(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleValue(await (await fetch(url)).text(), name, labels);
}
