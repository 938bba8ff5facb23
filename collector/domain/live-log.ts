/**
 * The engine's log (what faults are derived from) held as indexed maps, so adding an event or
 * finding what a key needs costs the same whatever the log's size. Same content as EngineLog.
 */
import { compareEvents } from "./episodes.ts";
import { faultKey, manualKey } from "./fault-key.ts";
import type { ActionRecord, ConditionRecord, EngineLog, KeyLog, ManualOpen } from "./types.ts";

export type Anchor = EngineLog["anchors"][string];

export class LiveLog {
  readonly keys = new Map<string, KeyLog>();
  /** Live (not archived) condition event id -> key. */
  readonly eventKeys = new Map<string, string>();
  /** Manual opens by their key (manualKey). */
  readonly manual = new Map<string, ManualOpen>();
  /** People's actions by the key of the fault they act on, in the order accepted. */
  readonly actions = new Map<string, ActionRecord[]>();
  readonly anchors = new Map<string, Anchor>();
  /** key -> anchor event id -> fault id. */
  readonly anchorIndex = new Map<string, Map<string, string>>();
  readonly aliases = new Map<string, string>();
  /** device -> keys (condition and manual) on it. */
  readonly keysByDevice = new Map<string, Set<string>>();

  static from(log: EngineLog, keyOfFault: (id: string) => string | undefined): LiveLog {
    const live = new LiveLog();
    for (const [key, k] of Object.entries(log.keys)) live.putKey(key, { ...k, events: [...k.events] });
    for (const [id, key] of Object.entries(log.eventKeys)) live.eventKeys.set(id, key);
    for (const m of log.manual) live.addManual(m);
    for (const [id, into] of Object.entries(log.aliases)) live.aliases.set(id, into);
    for (const [id, a] of Object.entries(log.anchors)) live.setAnchor(id, a);
    for (const a of log.actions) live.addAction(keyOfFault(live.resolve(a.faultId)) ?? "", a);
    return live;
  }

  resolve(id: string, overlay?: Map<string, string>): string {
    let cur = id;
    for (let i = 0; i < 64; i++) {
      const next = overlay?.get(cur) ?? this.aliases.get(cur);
      if (next === undefined) break;
      cur = next;
    }
    return cur;
  }

  putKey(key: string, k: KeyLog): void {
    this.keys.set(key, k);
    this.byDevice(k.device).add(key);
  }

  deleteKey(key: string): void {
    const k = this.keys.get(key);
    if (!k) return;
    this.keys.delete(key);
    this.keysByDevice.get(k.device)?.delete(key);
  }

  private byDevice(device: string): Set<string> {
    let set = this.keysByDevice.get(device);
    if (!set) {
      set = new Set();
      this.keysByDevice.set(device, set);
    }
    return set;
  }

  /** Adds a condition event in (at, eventId) order; returns its key. */
  addEvent(
    device: string,
    condition: string,
    labels: Record<string, string>,
    record: ConditionRecord,
  ): string {
    const key = faultKey(device, condition, labels);
    let k = this.keys.get(key);
    if (!k) {
      k = { device, condition, labels: { ...labels }, events: [] };
      this.putKey(key, k);
    }
    const events = k.events;
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEvents(events[mid]!, record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    events.splice(lo, 0, record);
    this.eventKeys.set(record.eventId, key);
    return key;
  }

  addManual(m: ManualOpen): string {
    const key = manualKey(m.device, m.faultId);
    this.manual.set(key, m);
    this.byDevice(m.device).add(key);
    return key;
  }

  deleteManual(key: string): void {
    const m = this.manual.get(key);
    if (!m) return;
    this.manual.delete(key);
    this.keysByDevice.get(m.device)?.delete(key);
  }

  addAction(homeKey: string, a: ActionRecord): void {
    const list = this.actions.get(homeKey);
    if (list) list.push(a);
    else this.actions.set(homeKey, [a]);
  }

  setAnchor(id: string, a: Anchor | undefined): void {
    const old = this.anchors.get(id);
    if (old) this.anchorIndex.get(old.key)?.delete(old.eventId);
    if (!a) {
      this.anchors.delete(id);
      return;
    }
    this.anchors.set(id, a);
    let byEvent = this.anchorIndex.get(a.key);
    if (!byEvent) {
      byEvent = new Map();
      this.anchorIndex.set(a.key, byEvent);
    }
    byEvent.set(a.eventId, id);
  }

  /** As EngineLog (tests, migration): actions in the order they were accepted. */
  toLog(): EngineLog {
    const actions = [...this.actions.values()].flat().sort((a, b) => a.seq - b.seq);
    return {
      keys: Object.fromEntries([...this.keys].map(([key, k]) => [key, { ...k, events: [...k.events] }])),
      eventKeys: Object.fromEntries(this.eventKeys),
      manual: [...this.manual.values()],
      actions,
      anchors: Object.fromEntries(this.anchors),
      aliases: Object.fromEntries(this.aliases),
    };
  }
}
