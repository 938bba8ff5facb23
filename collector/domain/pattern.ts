/** Name matching for conditions and classes: exact, or a glob where "*" matches any run of characters. */

const compiled = new Map<string, RegExp>();

export function matchesPattern(name: string, pattern: string): boolean {
  if (!pattern.includes("*")) return name === pattern;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
    compiled.set(pattern, re);
  }
  return re.test(name);
}

/** True when the name matches one of the patterns (a single pattern or a list). */
export function matchesAny(name: string | undefined, patterns: string | readonly string[]): boolean {
  if (name === undefined) return false;
  if (typeof patterns === "string") return matchesPattern(name, patterns);
  for (const p of patterns) if (matchesPattern(name, p)) return true;
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
