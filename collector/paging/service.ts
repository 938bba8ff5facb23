/**
 * Paging at the edge: watches the fault engine's notices, runs the planner for every live fault,
 * groups what is due into pages, writes them to the durable queue (with the steps taken, in one
 * transaction) and delivers them with retries, backoff and fallback to each person's next channel.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Clock } from "../../common/clock.ts";
import type { Fault, Inventory, Notice, Policy } from "../domain/index.ts";
import type { FaultService } from "../fault-service.ts";
import type { CollectorStore } from "../store/store.ts";
import { signAckToken, verifyAckToken } from "./ack-token.ts";
import type { ChannelConfig, NotificationsConfig, Person } from "./config.ts";
import { renderPage } from "./message.ts";
import { PagingMetrics } from "./metrics.ts";
import { type PlannedStep, planSteps } from "./planner.ts";
import { type Delivery, type PageGroup, PageQueue } from "./queue.ts";
import { dutyDayOf, onCallAt, resolveTargets, rosterGaps } from "./roster.ts";
import { PageSender } from "./sender.ts";

const ACTOR = "paging";
/** The pseudo-device `roster.missing` faults are about. */
export const ROSTER_DEVICE = "paging:roster";
const MAX_SLEEP_MS = 60 * 60 * 1000;
/** Resolved faults stay in view this long, for their resolution notice. */
const RESOLVED_LOOKBACK_MS = 60 * 60 * 1000;

export interface PagingDeps {
  config: NotificationsConfig;
  faults: FaultService;
  store: CollectorStore;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  sla: Policy;
  inventory: Inventory;
  /** Base of the acknowledge links (collector.publicUrl); without it pages carry no link. */
  publicUrl?: string;
}

export type AckOutcome =
  | {
      ok: true;
      person: string;
      faults: Array<{
        id: string;
        /** earlier: the fault reopened since the page; the link was for an earlier occurrence. */
        result: "acknowledged" | "already" | "not_found" | "refused" | "earlier";
        by?: string;
        message?: string;
      }>;
    }
  | { ok: false; reason: AckRefusal };

/** Why a link acknowledges nothing at all; not_found: its page group is not in the store. */
export type AckRefusal = "malformed" | "bad_signature" | "expired" | "not_found";

export type AckLink =
  | { ok: true; person: string; faults: Array<{ id: string; fault?: Fault; earlier: boolean }> }
  | { ok: false; reason: AckRefusal };

export class PagingService {
  readonly queue: PageQueue;
  readonly metrics: PagingMetrics;
  private channels: Map<string, ChannelConfig>;
  private people: Map<string, Person>;
  private timer: NodeJS.Timeout | undefined;
  private wakeQueued = false;
  private stopped = true;
  private sender: PageSender;
  private nextPlanAt: number | undefined;
  /** The end of the chain of planning passes: one at a time, so a step is never queued twice. */
  private planning: Promise<void> = Promise.resolve();

  constructor(private deps: PagingDeps) {
    this.queue = new PageQueue(deps.store.db);
    this.metrics = new PagingMetrics(deps.registry, () => this.queue.pendingCount());
    this.channels = new Map(deps.config.channels.map((c) => [c.id, c]));
    this.people = new Map(deps.config.people.map((p) => [p.id, p]));
    this.sender = new PageSender({
      queue: this.queue,
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      metrics: this.metrics,
      channels: this.channels,
      people: this.people,
      stillWanted: (d) => this.stillWanted(d),
    });
  }

  private onNotice = (_n: Notice) => {
    // One ingest batch emits many notices: plan once for all of them, so same-condition faults group.
    if (this.wakeQueued || this.stopped) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.wake();
    });
  };

  start(): void {
    // Before anything is planned or sent (the planning passes run one after another).
    this.planning = this.planning
      .then(() => this.settleInDoubt())
      .catch((err) => this.deps.logger.error({ err }, "could not settle the pages left in flight by a stopped collector"));
    this.stopped = false;
    this.sender.stopped = false;
    // Read again from the engine: another collector may have raised or cleared them meanwhile.
    this.rosterFiring = undefined;
    this.deps.faults.on("notice", this.onNotice);
    this.wake();
  }

  /**
   * Pages a collector handed to a channel and died before recording the answer (left `sending`): the
   * person may or may not have it. Not sent again — a page is never doubled — but marked `unconfirmed`
   * and audited; if nobody acknowledges, the escalation's next step still comes.
   */
  private async settleInDoubt(): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      for (const d of await new PageQueue(tx.db).settleInDoubt(at)) {
        this.deps.logger.warn(
          { delivery: d.id, person: d.person, kind: d.kind, faults: d.faultIds },
          "a page was handed to its channel by a collector that stopped before recording the answer: not sent again",
        );
        await tx.appendAudit(
          d.faultIds.map((faultId) => ({
            at,
            actor: ACTOR,
            action: "page.unconfirmed",
            faultId,
            detail: { delivery: d.id, person: d.person, kind: d.kind, channel: d.channels[d.channelIndex] },
          })),
        );
      }
    });
  }

  /** Stops planning and waits for sends in flight, so their outcome is written before the store closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.faults.off("notice", this.onNotice);
    clearTimeout(this.timer);
    await this.planning;
    await this.sender.stop();
  }

  /** Plans, sends what is due, and sleeps until the next step or retry. */
  wake(): void {
    if (this.stopped) return;
    const run = async () => {
      await this.plan();
      await this.schedule();
      await this.drain();
      await this.schedule();
    };
    void run().catch((err) => {
      this.deps.logger.error({ err }, "paging could not plan or send; trying again in a minute");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.wake(), 60_000);
      this.timer.unref?.();
    });
  }

  /** Plans and delivers everything due at the clock's now, and waits until the sends are done (tests, bench). */
  async settle(): Promise<void> {
    await this.plan();
    await this.drain();
  }

  dutyDay(now = this.deps.clock.now()) {
    return dutyDayOf(now, this.deps.config.roster, this.deps.sla.timezone);
  }

  /** A person's name from the notifications file (the web UI shows names, not ids). */
  personName(id: string): string | undefined {
    return this.people.get(id)?.name;
  }

  onCall(now = this.deps.clock.now()) {
    return onCallAt(now, this.deps.config.roster, this.deps.sla.timezone).map((o) => ({
      ...o,
      name: o.person ? this.people.get(o.person)?.name : undefined,
    }));
  }

  /**
   * Escalation pages (and reminders) still waiting in the queue lose their point once every fault
   * they are about was acknowledged (or, for reminders, resolved); breach and resolution notices always go.
   */
  private async stillWanted(d: Delivery): Promise<boolean> {
    // Archived faults (read from the store) are resolved: no page is wanted for them any more.
    const faults = [...(await this.deps.faults.faultsById(d.faultIds)).values()];
    if (d.kind === "page" || d.kind === "repeat" || d.kind === "escalate")
      return faults.some((f) => f === undefined || f.status === "open");
    if (d.kind === "reminder")
      return faults.some((f) => f === undefined || f.status === "open" || f.status === "acknowledged");
    return true;
  }

  private live(now: number): Fault[] {
    return this.deps.faults
      .liveFaults()
      .filter(
        (f) =>
          f.status === "open" ||
          f.status === "acknowledged" ||
          ((f.status === "resolved" || f.status === "closed") &&
            (f.resolvedAt ?? 0) >= now - RESOLVED_LOOKBACK_MS),
      );
  }

  /** Months `roster.missing` is firing for (read from the engine once, then kept here). */
  private rosterFiring: Set<string> | undefined;

  /**
   * No calendar time bomb: a month the roster does not cover (or a role nobody holds) raises
   * `roster.missing{month}` from `roster.leadDays` before it starts, so the facility manager uploads it
   * in time; once the roster covers it (a restart with the new file) or the month has passed, it clears.
   */
  private async checkRoster(now: number): Promise<void> {
    const { roster } = this.deps.config;
    if (!this.rosterFiring)
      this.rosterFiring = new Set(
        this.deps.faults
          .liveFaults()
          .filter((f) => f.device === ROSTER_DEVICE && f.condition === "roster.missing" && (f.status === "open" || f.status === "acknowledged"))
          .map((f) => f.labels.month ?? ""),
      );
    const gaps = new Map(rosterGaps(now, roster, this.deps.sla.timezone).map((g) => [g.month, g]));
    for (const [month, gap] of gaps) {
      if (this.rosterFiring.has(month)) continue;
      this.rosterFiring.add(month);
      const what = gap.absent ? "该月值班表缺失 / no schedule for the month" : `无人值班角色 / nobody for ${gap.roles.join(", ")}`;
      this.deps.logger.warn({ month, roles: gap.roles, absent: gap.absent }, "on-call roster does not cover a month");
      await this.deps.faults.dispatch({
        type: "condition",
        eventId: `roster-missing-${month}-${now}`,
        at: now,
        device: ROSTER_DEVICE,
        condition: "roster.missing",
        labels: { month },
        state: "firing",
        title: `值班表未上传 ${month}: ${what}`,
      });
    }
    for (const month of this.rosterFiring) {
      if (gaps.has(month)) continue;
      this.rosterFiring.delete(month);
      await this.deps.faults.dispatch({
        type: "condition",
        eventId: `roster-covered-${month}-${now}`,
        at: now,
        device: ROSTER_DEVICE,
        condition: "roster.missing",
        labels: { month },
        state: "clear",
      });
    }
  }

  /** Computes the due steps of every live fault and queues their pages (one pass at a time). */
  plan(): Promise<void> {
    const pass = this.planning.then(() => this.planOnce());
    this.planning = pass.catch(() => {});
    return pass;
  }

  private async planOnce(): Promise<void> {
    const now = this.deps.clock.now();
    await this.checkRoster(now);
    const groups = new Map<string, { step: PlannedStep; faults: Fault[] }>();
    const soon: Array<{ fault: Fault; step: PlannedStep }> = [];
    const waitMs = this.deps.config.grouping.wait * 1000;
    let nextAt: number | undefined;
    const skipped: Array<{ fault: Fault; step: PlannedStep }> = [];
    const live = this.live(now);
    const taken = await this.queue.takenFor(live.map((f) => f.id));
    for (const fault of live) {
      const plan = planSteps({
        fault,
        policy: this.deps.config.policies[fault.class],
        sla: this.deps.sla,
        now,
        done: taken.get(fault.id) ?? new Set(),
        groupWaitMs: waitMs,
      });
      for (const step of plan.upcoming) if (step.dueAt <= now + waitMs) soon.push({ fault, step });
      if (plan.nextAt !== undefined) nextAt = Math.min(nextAt ?? plan.nextAt, plan.nextAt);
      for (const step of plan.superseded) skipped.push({ fault, step });
      for (const step of plan.due) {
        const key = `${step.key}|${fault.class}|${fault.condition}`;
        const g = groups.get(key) ?? { step, faults: [] };
        g.faults.push(fault);
        groups.set(key, g);
      }
    }
    // A group going out now takes along the same step of same-condition faults due within the wait.
    for (const { fault, step } of soon)
      groups.get(`${step.key}|${fault.class}|${fault.condition}`)?.faults.push(fault);
    this.nextPlanAt = nextAt;
    if (groups.size === 0 && skipped.length === 0) return;
    await this.deps.store.transaction(async (tx) => {
      const queue = new PageQueue(tx.db);
      for (const { fault, step } of skipped) {
        await queue.markTaken(fault.id, step.key, "superseded", now);
        await tx.appendAudit([
          {
            at: now,
            actor: ACTOR,
            action: "page.skip",
            faultId: fault.id,
            detail: {
              step: step.key,
              kind: step.kind,
              reason: "overtaken by a later step of the same series",
            },
          },
        ]);
      }
      for (const g of groups.values()) await this.queueGroup(tx, queue, g.step, g.faults, now);
    });
  }

  private async queueGroup(tx: CollectorStore, queue: PageQueue, step: PlannedStep, faults: Fault[], now: number): Promise<void> {
    const persons = resolveTargets(step.targets, this.deps.config, now, this.deps.sla.timezone);
    const ids = faults.map((f) => f.id).sort();
    const children = Object.fromEntries(
      faults.map((f) => [
        f.id,
        f.children
          .map((c) => this.deps.faults.liveFault(c))
          .filter((c): c is Fault => c?.status === "folded")
          .sort((a, b) => a.device.localeCompare(b.device) || a.condition.localeCompare(b.condition)),
      ]),
    );
    const queued: Array<{ person: string; delivery?: number }> = [];
    // The faults are stored once, under a short id the link and the audit entries name (not the ids:
    // a 1,500-fault group's ids in every fault's entry made each step's audit grow with its square).
    const reopenCounts = new Map(faults.map((f) => [f.id, f.reopenCount]));
    const group: PageGroup = {
      id: groupId(step.key, ids),
      stepKey: step.key,
      faultIds: ids,
      episodes: ids.map((id) => reopenCounts.get(id)!),
      createdAt: now,
    };
    if (persons.length > 0) await queue.saveGroup(group);
    const needsAck = faults.some((f) => f.status === "open") && this.deps.publicUrl !== undefined;
    for (const person of persons) {
      const p = this.people.get(person);
      if (!p) continue;
      const message = renderPage({
        step,
        faults,
        children,
        cfg: this.deps.config,
        sla: this.deps.sla,
        inventory: this.deps.inventory,
        now,
        ackUrl: needsAck ? this.ackUrl(group.id, person, now) : undefined,
      });
      const delivery = await queue.enqueue(
        { dedupeKey: `${group.id}|${person}`, person, faultIds: ids, message, channels: p.channels },
        now,
      );
      queued.push({ person, delivery });
    }
    if (persons.length === 0)
      this.deps.logger.warn(
        { step: step.key, targets: step.targets, faults: ids },
        "page has nobody to go to (roster gap)",
      );
    for (const f of faults) await queue.markTaken(f.id, step.key, persons.length > 0 ? "queued" : "nobody", now);
    await tx.appendAudit(
      faults.map((f) => ({
        at: now,
        actor: ACTOR,
        action: "page.queue",
        faultId: f.id,
        detail: {
          step: step.key,
          kind: step.kind,
          targets: [...step.targets],
          to: queued,
          ...(persons.length > 0 ? { group: group.id } : {}),
          ...(ids.length > 1 ? { group_size: ids.length } : {}),
        },
      })),
    );
  }

  private ackUrl(group: string, person: string, now: number): string {
    const token = signAckToken(
      { group, person, expires: now + this.deps.config.ack.ttl * 1000 },
      this.deps.config.ack.secret.reveal(),
    );
    return `${this.deps.publicUrl!.replace(/\/+$/, "")}/ack/${token}`;
  }

  /** Sends every delivery due now (see sender.ts). */
  drain(): Promise<void> {
    return this.sender.drain();
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    const nextAttemptAt = await this.queue.nextAttemptAt();
    if (this.stopped) return;
    clearTimeout(this.timer);
    // At least hourly, even with nothing queued: the roster check must run as the calendar moves on.
    const times = [this.nextPlanAt, nextAttemptAt, this.deps.clock.now() + MAX_SLEEP_MS].filter(
      (t): t is number => t !== undefined,
    );
    const wait = Math.min(Math.max(Math.min(...times) - this.deps.clock.now(), 0), MAX_SLEEP_MS);
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref?.();
  }

  /**
   * A page about something that is not a fault (an overdue inspection round) to the people the
   * targets name now (roles through the roster, or person ids); once per dedupe key and person.
   */
  async notify(input: {
    dedupeKey: string;
    kind: "inspection_overdue";
    targets: readonly string[];
    title: string;
    text: string;
  }): Promise<string[]> {
    const now = this.deps.clock.now();
    const persons = resolveTargets(input.targets, this.deps.config, now, this.deps.sla.timezone);
    const to: string[] = [];
    for (const person of persons) {
      const p = this.people.get(person);
      if (!p) continue;
      const id = await this.queue.enqueue(
        {
          dedupeKey: `${input.dedupeKey}|${person}`,
          person,
          faultIds: [],
          message: { kind: input.kind, title: input.title, text: input.text, faults: [] },
          channels: p.channels,
        },
        now,
      );
      if (id !== undefined) to.push(person);
    }
    if (persons.length === 0) this.deps.logger.warn({ key: input.dedupeKey, targets: input.targets }, "notice has nobody to go to (roster gap)");
    this.wake();
    return to;
  }

  /**
   * What an acknowledge link is about: the person paged and each fault, marked `earlier` when it has
   * reopened since the page (the link was for an earlier occurrence and must not answer this one).
   */
  async ackLink(token: string): Promise<AckLink> {
    const now = this.deps.clock.now();
    const check = verifyAckToken(token, this.deps.config.ack.secret.reveal(), now);
    if (!check.ok) return check;
    const { claim } = check;
    let named: Array<{ id: string; episode?: number }>;
    if (claim.group !== undefined) {
      const group = await this.queue.group(claim.group);
      if (!group) return { ok: false, reason: "not_found" };
      named = group.faultIds.map((id, i) => ({ id, episode: group.episodes[i] }));
    } else named = claim.faults.map((id) => ({ id }));
    const found = await this.deps.faults.faultsById(named.map((n) => n.id));
    // A link from before groups were stored names its faults and no occurrence: it was signed at its
    // expiry less the ttl, so a reopening after that instant is a later occurrence.
    const signedAt = claim.expires - this.deps.config.ack.ttl * 1000;
    const faults = named.map(({ id, episode }) => {
      const fault = found.get(id);
      const earlier =
        fault !== undefined &&
        (episode !== undefined ? fault.reopenCount !== episode : fault.reopenedAt.some((t) => t > signedAt));
      return { id, fault, earlier };
    });
    return { ok: true, person: claim.person, faults };
  }

  /** The acknowledge link: the token is the authentication; the actor is the person it was sent to. */
  async ackByToken(token: string): Promise<AckOutcome> {
    const link = await this.ackLink(token);
    if (!link.ok) return link;
    const now = this.deps.clock.now();
    const { person } = link;
    const results: Extract<AckOutcome, { ok: true }>["faults"] = [];
    for (const { id, fault: f, earlier } of link.faults) {
      if (!f) {
        results.push({ id, result: "not_found" });
        continue;
      }
      if (earlier) {
        results.push({ id, result: "earlier" });
        continue;
      }
      if (f.status !== "open") {
        results.push({ id, result: "already", by: f.acknowledgedBy ?? f.resolvedBy });
        continue;
      }
      const res = await this.deps.faults.dispatch({
        type: "ack",
        at: now,
        fault: id,
        by: person,
        note: "确认链接 (acknowledge link in a page)",
      });
      results.push(res.ok ? { id, result: "acknowledged" } : { id, result: "refused", message: res.error.message });
    }
    return { ok: true, person, faults: results };
  }
}

/** A short id for a page group, from its step and faults (the same group always gets the same id). */
export function groupId(stepKey: string, faultIds: readonly string[]): string {
  return `g-${createHash("sha256").update(`${stepKey}\n${faultIds.join(",")}`).digest("base64url").slice(0, 16)}`;
}
