/** A value in parsed JSON at a dotted path with [n] indexes ("data.items[0].state", "$.status"). */
export function jsonAt(doc: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const steps = path
    .replace(/^\$\.?/, "")
    .split(/\.|(?=\[)/)
    .filter((s) => s !== "");
  let cur: unknown = doc;
  for (const step of steps) {
    const index = /^\[(\d+)\]$/.exec(step);
    if (index) {
      if (!Array.isArray(cur) || Number(index[1]) >= cur.length) return { found: false };
      cur = cur[Number(index[1])];
    } else {
      if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !(step in cur)) return { found: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: cur };
}

/** Whether a response body passes the probe's text and JSON assertions. */
export function bodyPasses(
  body: string,
  opts: { text?: string; json?: { path: string; equals?: unknown; matches?: string } },
): boolean {
  if (opts.text !== undefined && !new RegExp(opts.text).test(body)) return false;
  if (opts.json) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return false;
    }
    const at = jsonAt(doc, opts.json.path);
    if (!at.found) return false;
    if (opts.json.equals !== undefined && at.value !== opts.json.equals) return false;
    if (opts.json.matches !== undefined && !new RegExp(opts.json.matches).test(String(at.value))) return false;
  }
  return true;
}
