/**
 * Inspection metrics: counters as things happen (rounds scheduled, completed, abnormal items) and
 * gauges computed at scrape time from the store (overdue and open rounds, open hazards by age).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { AGE_BUCKETS, ageBucket, dueState, type Round } from "../domain/inspections/index.ts";
import type { InspectionStore } from "./store.ts";

export class InspectionMetrics {
  readonly scheduled: Counter<"template">;
  readonly completed: Counter<"template" | "on_time">;
  readonly abnormal: Counter<"template">;

  constructor(registry: Registry, deps: { rows: () => InspectionStore; now: () => number; templates: () => string[] }) {
    this.scheduled = new Counter({
      name: "watchfloor_inspection_rounds_scheduled_total",
      help: "Inspection rounds created from their schedules (missed firings included, created on start).",
      labelNames: ["template"],
      registers: [registry],
    });
    this.completed = new Counter({
      name: "watchfloor_inspection_rounds_completed_total",
      help: "Inspection rounds finished, by whether they were finished by their due time.",
      labelNames: ["template", "on_time"],
      registers: [registry],
    });
    this.abnormal = new Counter({
      name: "watchfloor_inspection_abnormal_items_total",
      help: "Inspection items answered abnormal (each opened a fault).",
      labelNames: ["template"],
      registers: [registry],
    });
    const open = async (now: number) =>
      (await deps.rows().rounds({ open: true, limit: 100_000 })).map((r): [Round, string] => [r, dueState(r, now)]);
    const byState = (name: string, help: string, state: "overdue" | "due") => {
      const gauge: Gauge<"template"> = new Gauge({
        name,
        help,
        labelNames: ["template"],
        registers: [registry],
        collect: async () => {
          const rounds = await open(deps.now());
          gauge.reset();
          for (const t of deps.templates()) gauge.set({ template: t }, 0);
          for (const [r, s] of rounds) if (s === state) gauge.inc({ template: r.templateId });
        },
      });
    };
    byState("watchfloor_inspection_rounds_overdue", "Inspection rounds past their due time and not finished.", "overdue");
    byState("watchfloor_inspection_rounds_open", "Inspection rounds not finished and not yet due.", "due");
    const hazards = new Gauge({
      name: "watchfloor_hazards_open",
      help: "Hidden hazards not yet closed, by how long they have been open (lt_1d, 1d_7d, 7d_30d, ge_30d).",
      labelNames: ["age"],
      registers: [registry],
      collect: async () => {
        const now = deps.now();
        const counts = Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0]));
        for (const h of await deps.rows().hazards({ open: true })) counts[ageBucket(h, now)]! += 1;
        for (const [age, n] of Object.entries(counts)) hazards.set({ age }, n);
      },
    });
  }
}
