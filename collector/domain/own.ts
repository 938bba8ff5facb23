/**
 * A record's own entry, never one inherited from Object.prototype: state maps are plain objects
 * keyed by ids that arrive from outside, and `faults["constructor"]` must be "no such fault", not a
 * function (issue 12 #9).
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
