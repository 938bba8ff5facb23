/**
 * Inspections at the edge: creates rounds from the templates' schedules (node-cron in the site's
 * zone, plus a catch-up on start so a firing missed while the collector was down is created, never
 * skipped), applies round and hazard commands (each with its audit entries and the faults abnormal
 * answers open, in one transaction), reports overdue rounds once (audit + page).
 * Only the active collector creates rounds; the round key (template + firing) makes it happen once.
 */
import { createHmac, randomBytes } from "node:crypto";
import nodeCron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { Clock } from "../../common/clock.ts";
import type { DomainError, Inventory, Period, Policy } from "../domain/index.ts";
import { formatInstant } from "../domain/index.ts";
import {
  applyHazard,
  applyRound,
  createRound,
  type Hazard,
  type HazardCommand,
  inspectionSummary,
  owedFirings,
  type Round,
  type RoundCommand,
  type Template,
} from "../domain/inspections/index.ts";
import type { FaultService } from "../fault-service.ts";
import { newFaultId } from "../fault-service.ts";
import type { PagingService } from "../paging/service.ts";
import type { CollectorStore } from "../store/store.ts";
import type { LiveReadings } from "./live-readings.ts";
import type { InspectionMetrics } from "./metrics.ts";
import { InspectionStore } from "./store.ts";

const ACTOR = "inspections";
/** Most rounds one catch-up creates per template (a daily round down for ~3 years); the rest next time. */
const CATCH_UP_LIMIT = 1000;

export function newRoundId(): string {
  return `R-${randomBytes(6).toString("hex")}`;
}
export function newHazardId(): string {
  return `H-${randomBytes(6).toString("hex")}`;
}

export interface InspectionServiceDeps {
  store: CollectorStore;
  faults: FaultService;
  clock: Clock;
  policy: Policy;
  inventory: Inventory;
  templates: Template[];
  logger: Logger;
  paging?: PagingService;
  /** Who is paged about an overdue round (roster roles or person ids). */
  overdueTargets?: readonly string[];
  /** False on a standby collector: it creates no rounds and pages nothing (HA lease, issue 13). */
  isActive?: () => boolean;
  newRoundId?: () => string;
  metrics?: InspectionMetrics;
  /** Where pre-filled items get the device's latest reading (collector.agentMetrics); absent: none. */
  liveReadings?: LiveReadings;
}

/** A value offered for an item from a device's latest live reading; the inspector confirms or changes it. */
export interface Suggestion {
  value: number;
  device: string;
  reading: string;
  at: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export class InspectionService {
  readonly rows: InspectionStore;
  private tasks: ScheduledTask[] = [];
  private templates: Map<string, Template>;

  constructor(private deps: InspectionServiceDeps) {
    this.rows = new InspectionStore(deps.store.db);
    this.templates = new Map(deps.templates.map((t) => [t.id, t]));
  }

  get timeZone(): string {
    return this.deps.policy.timezone;
  }

  template(id: string): Template | undefined {
    return this.templates.get(id);
  }

  allTemplates(): Template[] {
    return [...this.templates.values()];
  }

  private active(): boolean {
    return this.deps.isActive?.() ?? true;
  }

  /** Catches up, then lets node-cron fire each template's schedule and check due times each minute. */
  start(): void {
    void this.tick();
    for (const t of this.templates.values()) {
      if (!nodeCron.validate(t.schedule.text)) {
        // The catch-up in the minute task still creates its rounds, at most a minute late.
        this.deps.logger.warn({ template: t.id, schedule: t.schedule.text }, "node-cron cannot read this schedule");
        continue;
      }
      this.tasks.push(
        nodeCron.schedule(t.schedule.text, () => this.tick(), { timezone: this.timeZone, noOverlap: true, name: `inspection:${t.id}` }),
      );
    }
    this.tasks.push(nodeCron.schedule("* * * * *", () => this.tick(), { timezone: this.timeZone, noOverlap: true, name: "inspection:due" }));
  }

  stop(): void {
    for (const t of this.tasks) void t.destroy();
    this.tasks = [];
  }

  /** Creates what the schedules owe and reports rounds that became overdue. */
  async tick(): Promise<{ created: Round[]; overdue: Round[] }> {
    if (!this.active()) return { created: [], overdue: [] };
    try {
      return { created: await this.catchUp(), overdue: await this.reportOverdue() };
    } catch (err) {
      this.deps.logger.error({ err }, "inspection schedule tick failed");
      return { created: [], overdue: [] };
    }
  }

  /** Every firing since each template's cursor, up to now; a new template starts now. */
  async catchUp(): Promise<Round[]> {
    const now = this.deps.clock.now();
    const created: Round[] = [];
    for (const t of this.templates.values()) {
      const cursor = await this.rows.cursor(t.id);
      if (cursor === undefined) {
        await this.rows.setCursor(t.id, now);
        continue;
      }
      const owed = owedFirings(t, cursor, now, this.timeZone, CATCH_UP_LIMIT);
      await this.deps.store.transaction(async (tx) => {
        const rows = new InspectionStore(tx.db);
        for (const o of owed) {
          const round: Round = {
            ...createRound(t, o.firedAt, (this.deps.newRoundId ?? newRoundId)(), this.timeZone),
            qrKey: randomBytes(16).toString("hex"),
          };
          if (!(await rows.insertRound(round))) continue;
          created.push(round);
          this.deps.metrics?.scheduled.inc({ template: t.id });
          await tx.appendAudit([
            {
              at: now,
              actor: ACTOR,
              action: "inspection.schedule",
              detail: {
                round: round.id,
                template: t.id,
                firedAt: formatInstant(o.firedAt, this.timeZone),
                dueAt: formatInstant(o.dueAt, this.timeZone),
                late: now > o.firedAt + 60_000 ? true : undefined,
              },
            },
          ]);
        }
        await rows.setCursor(t.id, owed.length === CATCH_UP_LIMIT ? owed.at(-1)!.firedAt : now);
      });
      if (owed.length > 0) this.deps.logger.info({ template: t.id, created: owed.length }, "inspection rounds created");
    }
    return created;
  }

  /** Rounds past due and not finished: audited and paged once each. */
  async reportOverdue(): Promise<Round[]> {
    const now = this.deps.clock.now();
    const out: Round[] = [];
    for (const r of await this.rows.rounds({ open: true, limit: 10_000 })) {
      if (now <= r.dueAt) continue;
      const first = await this.deps.store.transaction(async (tx) => {
        if (!(await new InspectionStore(tx.db).markOverdue(r.id, now))) return false;
        await tx.appendAudit([
          {
            at: now,
            actor: ACTOR,
            action: "inspection.overdue",
            detail: { round: r.id, template: r.templateId, dueAt: formatInstant(r.dueAt, this.timeZone), claimedBy: r.claimedBy },
          },
        ]);
        return true;
      });
      if (!first) continue;
      out.push(r);
      const due = formatInstant(r.dueAt, this.timeZone).slice(0, 16).replace("T", " ");
      await this.deps.paging?.notify({
        dedupeKey: `inspection-overdue|${r.id}`,
        kind: "inspection_overdue",
        targets: this.deps.overdueTargets ?? ["oncall"],
        title: `巡检超时：${r.title}`,
        text: `巡检超时 overdue inspection: ${r.title}（${r.id}）应于 ${due} 前完成${r.claimedBy ? `，执行人 ${r.claimedBy}` : "，尚无人领取"}`,
      });
    }
    return out;
  }

  /** Applies a command to a round: the round, its audit entries and any faults, all or nothing. */
  async act(roundId: string, cmd: RoundCommand): Promise<Outcome<Round>> {
    const round = await this.rows.round(roundId);
    if (!round) return { ok: false, error: { code: "NOT_FOUND", message: `no round ${roundId}` } };
    const res = applyRound(round, cmd, { policy: this.deps.policy, inventory: this.deps.inventory, newFaultId });
    if (!res.ok) return res;
    if (res.round === round) return { ok: true, value: round };
    // The engine's transaction: the round, its audit entries and the faults it opens commit together.
    await this.deps.faults.transaction(async (batch) => {
      await new InspectionStore(batch.store.db).saveRound(res.round);
      await batch.store.appendAudit(res.audit);
      for (const c of res.faultCommands) {
        const r = await batch.act(c);
        // Opening a fault under a fresh id and commenting on it cannot be refused; if it is, roll back.
        if (!r.ok) throw new Error(`fault command ${c.type} refused: ${r.error.code} ${r.error.message}`);
      }
    });
    const m = this.deps.metrics;
    if (m && res.round.faults.length > round.faults.length)
      m.abnormal.inc({ template: round.templateId }, res.round.faults.length - round.faults.length);
    if (m && res.round.status === "completed" && round.status !== "completed")
      m.completed.inc({ template: round.templateId, on_time: String(res.round.completedAt! <= round.dueAt) });
    return { ok: true, value: res.round };
  }

  async hazard(id: string | undefined, cmd: HazardCommand): Promise<Outcome<Hazard>> {
    const before = id ? await this.rows.hazard(id) : undefined;
    if (id && !before) return { ok: false, error: { code: "NOT_FOUND", message: `no hazard ${id}` } };
    const res = applyHazard(before, cmd);
    if (!res.ok) return res;
    await this.deps.store.transaction(async (tx) => {
      const rows = new InspectionStore(tx.db);
      if (before) await rows.saveHazard(res.hazard);
      else await rows.insertHazard(res.hazard);
      await tx.appendAudit(res.audit);
    });
    return { ok: true, value: res.hazard };
  }

  /** Offers for the unanswered pre-filled items of a round, "stop/item" → value in the item's unit. */
  async suggestions(round: Round): Promise<Record<string, Suggestion>> {
    const live = this.deps.liveReadings;
    const out: Record<string, Suggestion> = {};
    if (!live || round.status === "completed") return out;
    for (const stop of round.stops)
      for (const item of stop.items) {
        if (item.kind !== "reading" || !item.prefill || round.answers[`${stop.id}/${item.id}`]) continue;
        const r = await live.latest(item.prefill.device, item.prefill.reading, item.prefill.labels);
        if (r)
          out[`${stop.id}/${item.id}`] = {
            value: Math.round(r.value * item.prefill.scale * 1000) / 1000,
            device: item.prefill.device,
            reading: item.prefill.reading,
            at: r.at,
          };
      }
    return out;
  }

  /** The code printed in a stop's QR check-in link: proves the phone was at the sheet. */
  checkinCode(round: Round, stopId: string): string {
    return createHmac("sha256", round.qrKey ?? round.id).update(stopId).digest("hex").slice(0, 20);
  }

  async summary(period: Period) {
    const rounds = await this.rows.rounds({ from: period.start, to: period.end, limit: 100_000 });
    return inspectionSummary(period, rounds, await this.rows.hazards(), this.deps.clock.now());
  }
}
