import type Database from "better-sqlite3";
import {
  type ActionRecord,
  type EngineChanges,
  type EngineLog,
  type EngineState,
  emptyState,
  type Fault,
  type KeyLog,
  type LiveEngine,
  type MaintenanceWindow,
  type ManualOpen,
} from "../domain/index.ts";

/**
 * The fault engine's state as rows: condition events, actions, manual opens and windows are
 * appended and never rewritten; faults, anchors and aliases are rows rewritten only when they
 * change; what the archive no longer needs is deleted. A command writes what it changed, so its
 * cost does not grow with the store's age.
 */
export class EngineRows {
  private stmts: ReturnType<typeof prepare>;

  constructor(private db: Database.Database) {
    this.stmts = prepare(db);
  }

  write(c: EngineChanges): void {
    const s = this.stmts;
    for (const e of c.events)
      s.event.run(
        e.record.eventId,
        e.key,
        e.device,
        e.condition,
        JSON.stringify(e.labels),
        e.record.at,
        e.record.state,
        e.record.classHint ?? null,
        e.record.title ?? null,
      );
    for (const a of c.actions) {
      s.action.run(a.record.seq, a.homeKey, JSON.stringify(a.record));
      s.meta.run("seq", a.record.seq);
    }
    for (const m of c.manual) s.manual.run(m.faultId, JSON.stringify(m));
    for (const w of c.windows) s.window.run(w.id, JSON.stringify(w));
    for (const [id, a] of c.anchors) {
      if (a) s.anchor.run(id, a.key, a.eventId, a.at);
      else s.dropAnchor.run(id);
    }
    for (const [id, into] of c.aliases) {
      if (into !== undefined) s.alias.run(id, into);
      else s.dropAlias.run(id);
    }
    for (const id of c.dropped) s.dropFault.run(id);
    for (const f of c.faults) s.fault.run(faultRow(f));
    for (const cut of c.cuts)
      s.cut.run(cut.key, cut.device, cut.condition, JSON.stringify(cut.labels), cut.horizon, cut.classHint ?? null);
    for (const id of c.archivedEvents) s.dropEvent.run(id);
    for (const seq of c.removedActions) s.dropAction.run(seq);
    for (const id of c.removedManual) s.dropManual.run(id);
    for (const id of c.archived) s.archive.run(c.now, id);
    if (c.foldHorizon !== undefined) s.meta.run("fold_horizon", c.foldHorizon);
    if (c.archived.length > 0 || c.cuts.length > 0) s.meta.run("archived", 1);
    s.meta.run("now", c.now);
  }

  /** Replaces every engine row with the engine's state (first start after the single-row format, or a cyclic inventory). */
  writeAll(engine: LiveEngine): void {
    const state = engine.toState();
    for (const t of ["engine_events", "engine_actions", "engine_manual", "engine_windows", "engine_anchors", "engine_aliases", "engine_key_cuts", "engine_meta", "faults"])
      this.db.prepare(`DELETE FROM ${t}`).run();
    const s = this.stmts;
    for (const [key, k] of Object.entries(state.log.keys)) {
      for (const e of k.events)
        s.event.run(e.eventId, key, k.device, k.condition, JSON.stringify(k.labels), e.at, e.state, e.classHint ?? null, e.title ?? null);
      if (k.classHint !== undefined || state.archive?.keyHorizon[key] !== undefined)
        s.cut.run(key, k.device, k.condition, JSON.stringify(k.labels), state.archive?.keyHorizon[key] ?? 0, k.classHint ?? null);
    }
    for (const [key, horizon] of Object.entries(state.archive?.keyHorizon ?? {})) {
      if (state.log.keys[key]) continue;
      const [device = "", condition = ""] = key.split("|");
      s.cut.run(key, device, condition, JSON.stringify(labelsOfKey(key)), horizon, null);
    }
    for (const a of state.log.actions)
      s.action.run(a.seq, state.faults[engine.log.resolve(a.faultId)]?.key ?? "", JSON.stringify(a));
    for (const m of state.log.manual) s.manual.run(m.faultId, JSON.stringify(m));
    for (const w of Object.values(state.windows)) s.window.run(w.id, JSON.stringify(w));
    for (const [id, a] of Object.entries(state.log.anchors)) s.anchor.run(id, a.key, a.eventId, a.at);
    for (const [id, into] of Object.entries(state.log.aliases)) s.alias.run(id, into);
    for (const f of Object.values(state.faults)) s.fault.run(faultRow(f));
    for (const [id, at] of Object.entries(state.archive?.faults ?? {})) s.archive.run(at, id);
    if (state.archive) {
      s.meta.run("archived", 1);
      s.meta.run("fold_horizon", state.archive.foldHorizon);
    }
    s.meta.run("now", state.now);
    s.meta.run("seq", state.seq);
  }

  /** The engine's state from its rows (undefined when there are none yet). */
  load(): EngineState | undefined {
    const db = this.db;
    const meta = new Map(
      (db.prepare("SELECT name, value FROM engine_meta").all() as Array<{ name: string; value: number }>).map((r) => [
        r.name,
        r.value,
      ]),
    );
    if (meta.size === 0) return undefined;
    const state = emptyState();
    const log: EngineLog = state.log;
    const keyHorizon: Record<string, number> = {};
    for (const r of db.prepare("SELECT * FROM engine_key_cuts").all() as Array<Record<string, unknown>>) {
      const key = r.key as string;
      keyHorizon[key] = r.horizon as number;
      log.keys[key] = {
        device: r.device as string,
        condition: r.condition as string,
        labels: JSON.parse(r.labels as string),
        events: [],
        ...(r.class_hint !== null ? { classHint: r.class_hint as KeyLog["classHint"] } : {}),
      };
    }
    for (const r of db.prepare("SELECT * FROM engine_events ORDER BY key, at, event_id").all() as Array<
      Record<string, unknown>
    >) {
      const key = r.key as string;
      log.keys[key] ??= {
        device: r.device as string,
        condition: r.condition as string,
        labels: JSON.parse(r.labels as string),
        events: [],
      };
      const k = log.keys[key];
      k.events.push({
        eventId: r.event_id as string,
        at: r.at as number,
        state: r.state as "firing" | "clear",
        ...(r.class_hint !== null ? { classHint: r.class_hint as KeyLog["classHint"] } : {}),
        ...(r.title !== null ? { title: r.title as string } : {}),
      });
      log.eventKeys[r.event_id as string] = key;
    }
    // A key whose events were all archived and that carries no hint has no further use.
    for (const [key, k] of Object.entries(log.keys)) {
      if (k.events.length === 0 && k.classHint === undefined) delete log.keys[key];
      else k.events.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    }
    for (const r of db.prepare("SELECT body FROM engine_actions ORDER BY seq").all() as Array<{ body: string }>)
      log.actions.push(JSON.parse(r.body) as ActionRecord);
    for (const r of db.prepare("SELECT body FROM engine_manual ORDER BY rowid").all() as Array<{ body: string }>)
      log.manual.push(JSON.parse(r.body) as ManualOpen);
    for (const r of db.prepare("SELECT body FROM engine_windows ORDER BY rowid").all() as Array<{ body: string }>) {
      const w = JSON.parse(r.body) as MaintenanceWindow;
      state.windows[w.id] = w;
    }
    for (const r of db.prepare("SELECT * FROM engine_anchors").all() as Array<Record<string, unknown>>)
      log.anchors[r.fault_id as string] = { key: r.key as string, eventId: r.event_id as string, at: r.at as number };
    for (const r of db.prepare("SELECT fault_id, into_id FROM engine_aliases").all() as Array<Record<string, string>>)
      log.aliases[r.fault_id!] = r.into_id!;
    const archived: Record<string, number> = {};
    for (const r of db.prepare("SELECT id, body, archived_at FROM faults ORDER BY rowid").all() as Array<
      Record<string, unknown>
    >) {
      state.faults[r.id as string] = JSON.parse(r.body as string) as Fault;
      if (r.archived_at !== null) archived[r.id as string] = r.archived_at as number;
    }
    state.now = meta.get("now") ?? 0;
    state.seq = Math.max(meta.get("seq") ?? 0, ...log.actions.map((a) => a.seq));
    if (meta.has("archived"))
      state.archive = { faults: archived, eventIds: {}, keyHorizon, foldHorizon: meta.get("fold_horizon") ?? 0 };
    return state;
  }
}

function labelsOfKey(key: string): Record<string, string> {
  const sorted = key.split("|").slice(2).join("|");
  if (sorted === "") return {};
  return Object.fromEntries(sorted.split(",").map((kv) => kv.split("=", 2) as [string, string]));
}

function faultRow(f: Fault) {
  return {
    id: f.id,
    device: f.device,
    condition: f.condition,
    class: f.class,
    status: f.status,
    openedAt: f.openedAt,
    body: JSON.stringify(f),
  };
}

function prepare(db: Database.Database) {
  return {
    event: db.prepare(
      "INSERT OR IGNORE INTO engine_events (event_id, key, device, condition, labels, at, state, class_hint, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    dropEvent: db.prepare("DELETE FROM engine_events WHERE event_id = ?"),
    action: db.prepare("INSERT INTO engine_actions (seq, home_key, body) VALUES (?, ?, ?)"),
    dropAction: db.prepare("DELETE FROM engine_actions WHERE seq = ?"),
    manual: db.prepare("INSERT INTO engine_manual (fault_id, body) VALUES (?, ?)"),
    dropManual: db.prepare("DELETE FROM engine_manual WHERE fault_id = ?"),
    window: db.prepare("INSERT INTO engine_windows (id, body) VALUES (?, ?)"),
    anchor: db.prepare(
      "INSERT INTO engine_anchors (fault_id, key, event_id, at) VALUES (?, ?, ?, ?) ON CONFLICT(fault_id) DO UPDATE SET key = excluded.key, event_id = excluded.event_id, at = excluded.at",
    ),
    dropAnchor: db.prepare("DELETE FROM engine_anchors WHERE fault_id = ?"),
    alias: db.prepare(
      "INSERT INTO engine_aliases (fault_id, into_id) VALUES (?, ?) ON CONFLICT(fault_id) DO UPDATE SET into_id = excluded.into_id",
    ),
    dropAlias: db.prepare("DELETE FROM engine_aliases WHERE fault_id = ?"),
    fault: db.prepare(
      `INSERT INTO faults (id, device, condition, class, status, opened_at, body) VALUES (@id, @device, @condition, @class, @status, @openedAt, @body)
       ON CONFLICT(id) DO UPDATE SET class = excluded.class, status = excluded.status, opened_at = excluded.opened_at, body = excluded.body`,
    ),
    dropFault: db.prepare("DELETE FROM faults WHERE id = ?"),
    archive: db.prepare("UPDATE faults SET archived_at = ? WHERE id = ?"),
    cut: db.prepare(
      "INSERT INTO engine_key_cuts (key, device, condition, labels, horizon, class_hint) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET horizon = excluded.horizon, class_hint = excluded.class_hint",
    ),
    meta: db.prepare(
      "INSERT INTO engine_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    ),
  };
}
