import { type Insertable, sql } from "kysely";
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
import type { Tables } from "./schema.ts";
import { byText, type StoreDb } from "./store-db.ts";

/** Rows per call of StoreDb.insertRows (which splits them further): well under the limits on bound parameters. */
const CHUNK = 1000;

type Row<T extends keyof Tables> = Insertable<Tables[T]>;

/**
 * The fault engine's state as rows: condition events, actions, manual opens and windows are
 * appended and never rewritten; faults, anchors and aliases are rows rewritten only when they
 * change; what the archive no longer needs is deleted. A command writes what it changed (a few
 * multi-row statements, one round trip each on PostgreSQL), so its cost does not grow with the
 * store's age.
 */
export class EngineRows {
  constructor(private db: StoreDb) {}

  async write(c: EngineChanges): Promise<void> {
    await this.events(c.events.map((e) => eventRow(e.record, e.key, e.device, e.condition, e.labels)));
    await this.actions(
      c.actions.map((a) => ({ seq: a.record.seq, home_key: a.homeKey, body: JSON.stringify(a.record) })),
    );
    await this.manual(c.manual.map((m) => ({ fault_id: m.faultId, body: JSON.stringify(m) })));
    await this.windows(c.windows.map((w) => ({ id: w.id, body: JSON.stringify(w) })));
    const anchors = [...c.anchors];
    await this.anchors(
      anchors.flatMap(([id, a]) => (a ? [{ fault_id: id, key: a.key, event_id: a.eventId, at: a.at }] : [])),
    );
    await this.drop(
      "engine_anchors",
      "fault_id",
      anchors.filter(([, a]) => !a).map(([id]) => id),
    );
    const aliases = [...c.aliases];
    await this.aliases(
      aliases.flatMap(([id, into]) => (into !== undefined ? [{ fault_id: id, into_id: into }] : [])),
    );
    await this.drop(
      "engine_aliases",
      "fault_id",
      aliases.filter(([, into]) => into === undefined).map(([id]) => id),
    );
    await this.drop("faults", "id", c.dropped);
    await this.faults(c.faults.map(faultRow));
    await this.cuts(
      c.cuts.map((cut) => ({
        key: cut.key,
        device: cut.device,
        condition: cut.condition,
        labels: JSON.stringify(cut.labels),
        horizon: cut.horizon,
        class_hint: cut.classHint ?? null,
      })),
    );
    await this.drop("engine_events", "event_id", c.archivedEvents);
    await this.drop("engine_actions", "seq", c.removedActions);
    await this.drop("engine_manual", "fault_id", c.removedManual);
    for (const ids of chunks(c.archived))
      await this.db.q.updateTable("faults").set({ archived_at: c.now }).where("id", "in", ids).execute();
    const meta = new Map<string, number>();
    const lastAction = c.actions.at(-1);
    if (lastAction) meta.set("seq", lastAction.record.seq);
    if (c.foldHorizon !== undefined) meta.set("fold_horizon", c.foldHorizon);
    if (c.archived.length > 0 || c.cuts.length > 0) meta.set("archived", 1);
    meta.set("now", c.now);
    await this.meta(meta);
  }

  /**
   * Replaces every engine row with the engine's state (first start after the single-row format, or a
   * cyclic inventory). The rows of faults archived before are kept: the engine no longer holds them.
   */
  async writeAll(engine: LiveEngine): Promise<void> {
    const state = engine.toState();
    for (const t of ENGINE_TABLES) await this.db.q.deleteFrom(t).execute();
    await this.db.q.deleteFrom("faults").where("archived_at", "is", null).execute();
    const events: Row<"engine_events">[] = [];
    const cuts: Row<"engine_key_cuts">[] = [];
    const cut = (
      key: string,
      device: string,
      condition: string,
      labels: unknown,
      horizon: number,
      hint: string | null,
    ) => cuts.push({ key, device, condition, labels: JSON.stringify(labels), horizon, class_hint: hint });
    for (const [key, k] of Object.entries(state.log.keys)) {
      for (const e of k.events) events.push(eventRow(e, key, k.device, k.condition, k.labels));
      if (k.classHint !== undefined || state.archive?.keyHorizon[key] !== undefined)
        cut(key, k.device, k.condition, k.labels, state.archive?.keyHorizon[key] ?? 0, k.classHint ?? null);
    }
    for (const [key, horizon] of Object.entries(state.archive?.keyHorizon ?? {})) {
      if (state.log.keys[key]) continue;
      const [device = "", condition = ""] = key.split("|");
      cut(key, device, condition, labelsOfKey(key), horizon, null);
    }
    await this.events(events);
    await this.cuts(cuts);
    await this.actions(
      state.log.actions.map((a) => ({
        seq: a.seq,
        home_key: state.faults[engine.log.resolve(a.faultId)]?.key ?? "",
        body: JSON.stringify(a),
      })),
    );
    await this.manual(state.log.manual.map((m) => ({ fault_id: m.faultId, body: JSON.stringify(m) })));
    await this.windows(Object.values(state.windows).map((w) => ({ id: w.id, body: JSON.stringify(w) })));
    await this.anchors(
      Object.entries(state.log.anchors).map(([id, a]) => ({
        fault_id: id,
        key: a.key,
        event_id: a.eventId,
        at: a.at,
      })),
    );
    await this.aliases(
      Object.entries(state.log.aliases).map(([id, into]) => ({ fault_id: id, into_id: into })),
    );
    await this.faults(Object.values(state.faults).map(faultRow));
    for (const [id, at] of Object.entries(state.archive?.faults ?? {}))
      await this.db.q.updateTable("faults").set({ archived_at: at }).where("id", "=", id).execute();
    const meta = new Map<string, number>();
    if (state.archive) {
      meta.set("archived", 1);
      meta.set("fold_horizon", state.archive.foldHorizon);
    }
    meta.set("now", state.now);
    meta.set("seq", state.seq);
    await this.meta(meta);
  }

  /**
   * The engine's state from its rows (undefined when there are none yet): the faults not archived
   * (the archived ones stay in the store, read on demand: fault-rows.ts).
   */
  async load(): Promise<EngineState | undefined> {
    const q = this.db.q;
    const meta = new Map(
      (await q.selectFrom("engine_meta").select(["name", "value"]).execute()).map((r) => [r.name, r.value]),
    );
    if (meta.size === 0) return undefined;
    const state = emptyState();
    const log: EngineLog = state.log;
    const keyHorizon: Record<string, number> = {};
    const byKey = <R extends { key: string }>(rows: R[]) => byText(rows, (r) => r.key);
    for (const r of byKey(await q.selectFrom("engine_key_cuts").selectAll().execute())) {
      keyHorizon[r.key] = r.horizon;
      log.keys[r.key] = {
        device: r.device,
        condition: r.condition,
        labels: JSON.parse(r.labels),
        events: [],
        ...(r.class_hint !== null ? { classHint: r.class_hint as KeyLog["classHint"] } : {}),
      };
    }
    for (const r of byKey(await q.selectFrom("engine_events").selectAll().execute())) {
      log.keys[r.key] ??= {
        device: r.device,
        condition: r.condition,
        labels: JSON.parse(r.labels),
        events: [],
      };
      log.keys[r.key]!.events.push({
        eventId: r.event_id,
        at: r.at,
        state: r.state as "firing" | "clear",
        ...(r.class_hint !== null ? { classHint: r.class_hint as KeyLog["classHint"] } : {}),
        ...(r.title !== null ? { title: r.title } : {}),
      });
      log.eventKeys[r.event_id] = r.key;
    }
    // A key whose events were all archived and that carries no hint has no further use.
    for (const [key, k] of Object.entries(log.keys)) {
      if (k.events.length === 0 && k.classHint === undefined) delete log.keys[key];
      else
        k.events.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    }
    for (const r of await q.selectFrom("engine_actions").select("body").orderBy("seq").execute())
      log.actions.push(JSON.parse(r.body) as ActionRecord);
    for (const r of await q.selectFrom("engine_manual").select("body").orderBy("rowid").execute())
      log.manual.push(JSON.parse(r.body) as ManualOpen);
    for (const r of await q.selectFrom("engine_windows").select("body").orderBy("rowid").execute()) {
      const w = JSON.parse(r.body) as MaintenanceWindow;
      state.windows[w.id] = w;
    }
    for (const r of await q.selectFrom("engine_anchors").selectAll().execute())
      log.anchors[r.fault_id] = { key: r.key, eventId: r.event_id, at: r.at };
    for (const r of await q.selectFrom("engine_aliases").selectAll().execute())
      log.aliases[r.fault_id] = r.into_id;
    for (const r of await q
      .selectFrom("faults")
      .select(["id", "body"])
      .where("archived_at", "is", null)
      .orderBy("rowid")
      .execute())
      state.faults[r.id] = JSON.parse(r.body) as Fault;
    state.now = meta.get("now") ?? 0;
    state.seq = Math.max(meta.get("seq") ?? 0, ...log.actions.map((a) => a.seq));
    if (meta.has("archived"))
      state.archive = {
        faults: {},
        eventIds: {},
        keyHorizon,
        foldHorizon: meta.get("fold_horizon") ?? 0,
      };
    return state;
  }

  private async events(rows: Row<"engine_events">[]): Promise<void> {
    for (const part of chunks(rows))
      await this.db.insertRows(
        "engine_events",
        part,
        (q, rows) =>
          q
            .insertInto("engine_events")
            .values([...rows])
            .onConflict((oc) => oc.column("event_id").doNothing()),
        { padded: true },
      );
  }

  private async actions(rows: Row<"engine_actions">[]): Promise<void> {
    for (const part of chunks(rows))
      await this.db.insertRows("engine_actions", part, (q, r) =>
        q.insertInto("engine_actions").values([...r]),
      );
  }

  private async manual(rows: Row<"engine_manual">[]): Promise<void> {
    for (const part of chunks(rows))
      await this.db.insertRows("engine_manual", part, (q, r) => q.insertInto("engine_manual").values([...r]));
  }

  private async windows(rows: Row<"engine_windows">[]): Promise<void> {
    for (const part of chunks(rows))
      await this.db.insertRows("engine_windows", part, (q, r) =>
        q.insertInto("engine_windows").values([...r]),
      );
  }

  private async anchors(rows: Row<"engine_anchors">[]): Promise<void> {
    for (const part of chunks(lastById(rows, (r) => r.fault_id)))
      await this.db.insertRows("engine_anchors", part, (q, rows) =>
        q
          .insertInto("engine_anchors")
          .values([...rows])
          .onConflict((oc) =>
            oc.column("fault_id").doUpdateSet((eb) => ({
              key: eb.ref("excluded.key"),
              event_id: eb.ref("excluded.event_id"),
              at: eb.ref("excluded.at"),
            })),
          ),
      );
  }

  private async aliases(rows: Row<"engine_aliases">[]): Promise<void> {
    for (const part of chunks(lastById(rows, (r) => r.fault_id)))
      await this.db.insertRows("engine_aliases", part, (q, rows) =>
        q
          .insertInto("engine_aliases")
          .values([...rows])
          .onConflict((oc) =>
            oc.column("fault_id").doUpdateSet((eb) => ({ into_id: eb.ref("excluded.into_id") })),
          ),
      );
  }

  private async faults(rows: Row<"faults">[]): Promise<void> {
    for (const part of chunks(lastById(rows, (r) => r.id)))
      await this.db.insertRows("faults", part, (q, rows) =>
        q
          .insertInto("faults")
          .values([...rows])
          .onConflict((oc) =>
            oc.column("id").doUpdateSet((eb) => ({
              class: eb.ref("excluded.class"),
              status: eb.ref("excluded.status"),
              opened_at: eb.ref("excluded.opened_at"),
              body: eb.ref("excluded.body"),
            })),
          ),
      );
  }

  private async cuts(rows: Row<"engine_key_cuts">[]): Promise<void> {
    for (const part of chunks(lastById(rows, (r) => r.key)))
      await this.db.insertRows("engine_key_cuts", part, (q, rows) =>
        q
          .insertInto("engine_key_cuts")
          .values([...rows])
          .onConflict((oc) =>
            oc.column("key").doUpdateSet((eb) => ({
              horizon: eb.ref("excluded.horizon"),
              class_hint: eb.ref("excluded.class_hint"),
            })),
          ),
      );
  }

  private async meta(values: Map<string, number>): Promise<void> {
    await this.db.insertRows(
      "engine_meta",
      [...values].map(([name, value]) => ({ name, value })),
      (q, rows) =>
        q
          .insertInto("engine_meta")
          .values([...rows])
          .onConflict((oc) => oc.column("name").doUpdateSet((eb) => ({ value: eb.ref("excluded.value") }))),
    );
  }

  private async drop(
    table:
      | "engine_anchors"
      | "engine_aliases"
      | "faults"
      | "engine_events"
      | "engine_actions"
      | "engine_manual",
    column: string,
    ids: ReadonlyArray<string | number>,
  ): Promise<void> {
    // One delete for six tables, each keyed by the column named (a reference Kysely cannot type across them).
    for (const part of chunks(ids))
      await this.db.q.deleteFrom(table).where(sql.ref(column), "in", part).execute();
  }
}

const ENGINE_TABLES = [
  "engine_events",
  "engine_actions",
  "engine_manual",
  "engine_windows",
  "engine_anchors",
  "engine_aliases",
  "engine_key_cuts",
  "engine_meta",
] as const;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/** One row per key, the last written (a multi-row upsert may not touch a row twice in PostgreSQL). */
function lastById<T>(rows: T[], key: (r: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r])).values()];
}

function eventRow(
  e: { eventId: string; at: number; state: string; classHint?: string; title?: string },
  key: string,
  device: string,
  condition: string,
  labels: unknown,
): Row<"engine_events"> {
  return {
    event_id: e.eventId,
    key,
    device,
    condition,
    labels: JSON.stringify(labels),
    at: e.at,
    state: e.state,
    class_hint: e.classHint ?? null,
    title: e.title ?? null,
  };
}

function labelsOfKey(key: string): Record<string, string> {
  const sorted = key.split("|").slice(2).join("|");
  if (sorted === "") return {};
  return Object.fromEntries(sorted.split(",").map((kv) => kv.split("=", 2) as [string, string]));
}

function faultRow(f: Fault): Row<"faults"> {
  return {
    id: f.id,
    device: f.device,
    condition: f.condition,
    class: f.class,
    status: f.status,
    opened_at: f.openedAt,
    body: JSON.stringify(f),
  };
}
