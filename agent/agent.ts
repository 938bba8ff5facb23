import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import { isMonitoredPort, type PortFacts } from "../common/ports.ts";
import { type ConditionEvent, LABEL_VALUE_MAX, TITLE_MAX, truncateText } from "../common/wire.ts";
import { type ConditionTrack, debounceStep, initialTrack } from "./conditions/debounce.ts";
import { instanceKey } from "./conditions/evaluate.ts";
import { leftOverInstances, leftOverReason } from "./conditions/left-over.ts";
import { samePortFacts } from "./conditions/port-scope.ts";
import { loadDrivers } from "./drivers/registry.ts";
import type { Driver, DriverSession } from "./drivers/types.ts";
import type { AgentErrors } from "./errors.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { Outbox } from "./outbox/outbox.ts";
import { type PollResult, pollDevice } from "./poll.ts";
import type { Debounce, ProfileCondition } from "./profiles/schema.ts";
import type { Reprobe } from "./profiles/watch.ts";
import { nextSlot, pollPhase } from "./schedule.ts";
import type { PreparedDevice } from "./site.ts";

/** device.unreachable is built in: two missed polls open it, one answer clears it. */
export const UNREACHABLE: ProfileCondition = {
  name: "device.unreachable",
  title: "设备无响应 / device unreachable",
  when: { reading: "device_up", labels: {}, op: "eq", value: 0 },
  fireAfter: { polls: 2 } as Debounce,
  clearAfter: { polls: 1 } as Debounce,
};

/** Conditions the agent evaluates for every device, whatever its profile. */
const AGENT_OWN: ReadonlySet<string> = new Set([UNREACHABLE.name]);

export interface AgentDeps {
  agentId: string;
  devices: PreparedDevice[];
  clock: Clock;
  logger: Logger;
  metrics?: AgentMetrics;
  /** Absent in --once mode: nothing is sent or remembered. */
  outbox?: Outbox;
  /** Where an unexpected error in one device's poll goes (the device's schedule carries on). */
  errors?: AgentErrors;
}

/** A condition instance's debounce track with what it is about (persisted in the outbox file). */
interface TrackedInstance {
  device: string;
  condition: string;
  labels: Record<string, string>;
  track: ConditionTrack;
}

interface DeviceRun {
  device: PreparedDevice;
  session: DriverSession;
  /** Offset of this device's polls within its interval (stable: a hash of its id). */
  phaseMs: number;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<PollResult>;
  /** The running poll is a scheduled one (not one a trap asked for). */
  inFlightScheduled?: boolean;
  /** A poll asked for (a trap arrived) while one was running. */
  again?: boolean;
  /** The ports the last poll saw (description, admin status), to tell whether a linkDown trap matters. */
  ports: Map<string, PortFacts>;
}

/**
 * Polls every device on its own fixed grid (interval, at a phase hashed from its id, so devices spread
 * over the whole interval and keep their place across restarts; never two polls of one device at once,
 * so a slow device delays only itself: a slot that finds the previous poll still running is skipped and
 * counted as an overrun), maps readings, debounces conditions and puts every condition change in the
 * outbox. Everything a poll touches is indexed by device, so a poll's work does not grow with the fleet.
 */
export class Agent {
  private runs = new Map<string, DeviceRun>();
  /** Condition tracks per device, then per instance key. */
  private tracks = new Map<string, Map<string, TrackedInstance>>();
  /** Devices whose left-over conditions could not all be cleared (the outbox was not writable): the next poll tries again. */
  private leftOverDue = new Map<string, Reprobe>();
  private stopped = false;

  /** Loads the drivers the devices use (only those) and opens a session per device. */
  static async create(deps: AgentDeps): Promise<Agent> {
    return new Agent(deps, await loadDrivers(deps.devices.map((d) => d.config.driver)));
  }

  private constructor(
    private deps: AgentDeps,
    // biome-ignore lint/suspicious/noExplicitAny: drivers of every option/source type, see registry.ts
    loaded: Map<string, Driver<any, any>>,
  ) {
    for (const [key, inst] of (deps.outbox?.loadTracks() ?? new Map()) as Map<string, TrackedInstance>)
      this.tracksOf(inst.device).set(key, inst);
    for (const device of deps.devices) {
      const session = loaded.get(device.config.driver)!.open(device.config, device.options, {
        logger: deps.logger.child({ device: device.config.id }),
      });
      const phaseMs = pollPhase(device.config.id, device.config.interval * 1000);
      this.runs.set(device.config.id, { device, session, phaseMs, ports: new Map() });
    }
  }

  private tracksOf(device: string): Map<string, TrackedInstance> {
    let map = this.tracks.get(device);
    if (!map) {
      map = new Map();
      this.tracks.set(device, map);
    }
    return map;
  }

  /** Starts every device's schedule: its first poll is at its next slot. */
  start(): void {
    for (const run of this.runs.values()) this.schedule(run);
  }

  /** Books the device's next slot after `after` (a slot just served, or now). */
  private schedule(run: DeviceRun, after = Date.now()): void {
    const at = nextSlot(after, run.device.config.interval * 1000, run.phaseMs);
    run.timer = setTimeout(() => this.slot(run, at), Math.max(0, at - Date.now()));
  }

  /**
   * A slot of the grid: the next is booked first, so a long poll never shifts the device's phase. It is
   * booked after this slot, not after the clock: a timer may fire a millisecond early, and booking from
   * the clock would then serve this same slot twice (and count the second as an overrun).
   */
  private slot(run: DeviceRun, at: number): void {
    if (this.stopped) return;
    this.schedule(run, Math.max(at, Date.now()));
    if (run.inFlight && run.inFlightScheduled) {
      this.deps.metrics?.pollOverruns.inc({ device: run.device.config.id });
      return;
    }
    void this.pollNow(run.device.config.id, true).catch((err: unknown) => this.pollFailed(run.device.config.id, err));
  }

  /** A bug, not a device fault (pollDevice turns those into results): reported, the schedule goes on. */
  private pollFailed(device: string, err: unknown): undefined {
    if (this.deps.errors) this.deps.errors.report("poll", err, "poll failed unexpectedly; the device's schedule carries on", { device });
    else this.deps.logger.error({ device, error: err instanceof Error ? err.message : String(err) }, "poll failed unexpectedly");
    return undefined;
  }

  /** Polls one device now (or right after its running poll), e.g. to confirm a trap. */
  async pollNow(deviceId: string, scheduled = false): Promise<PollResult | undefined> {
    const run = this.runs.get(deviceId);
    if (!run) return undefined;
    if (run.inFlight) {
      run.again = true;
      return run.inFlight;
    }
    const cfg = run.device.config;
    const timeout = cfg.timeout ?? Math.min(cfg.interval, 10);
    run.inFlight = pollDevice(run.device, run.session, timeout, () => this.deps.clock.now());
    run.inFlightScheduled = scheduled;
    this.deps.metrics?.polls.inc({ device: cfg.id });
    let result: PollResult;
    try {
      result = await run.inFlight;
    } finally {
      run.inFlight = undefined;
      run.inFlightScheduled = false;
    }
    this.record(result);
    if (run.again && !this.stopped) {
      run.again = false;
      return this.pollNow(deviceId);
    }
    return result;
  }

  /** Polls every device once, concurrently. */
  async pollAll(): Promise<PollResult[]> {
    return Promise.all([...this.runs.keys()].map((id) => this.pollNow(id) as Promise<PollResult>));
  }

  private record(result: PollResult): void {
    const { metrics, logger } = this.deps;
    const run = this.runs.get(result.device)!;
    const device = run.device;
    // Unchanged facts keep the map already held: steady polling retains nothing new.
    if (result.up && result.ports.size > 0 && !samePortFacts(run.ports, result.ports)) run.ports = result.ports;
    if (result.reprobe) {
      const { reason, from, to, detail } = result.reprobe;
      logger.info({ device: result.device, reason, profiles: `${from.join("+")} → ${to.join("+")}`, ...detail }, "device probed again (profile: auto)");
      metrics?.reprobed(result.device, reason, to);
      if (from.join("+") !== to.join("+")) this.clearLeftOver(device, result.reprobe, result.startedAt);
    } else {
      const due = this.leftOverDue.get(result.device);
      if (due) this.clearLeftOver(device, due, result.startedAt);
    }
    if (metrics) {
      metrics.deviceUp.set({ device: result.device }, result.up ? 1 : 0);
      metrics.pollDuration.observe({ device: result.device }, result.durationSeconds);
      if (result.timedOut) metrics.pollTimeouts.inc({ device: result.device });
      else metrics.pollsCompleted.inc({ device: result.device });
      if (!result.up) metrics.pollErrors.inc({ device: result.device, kind: "unreachable" });
      if (result.readingErrors.length) metrics.pollErrors.inc({ device: result.device, kind: "reading" }, result.readingErrors.length);
      if (result.up) metrics.setReadings(result.device, result.readings);
    }
    if (!result.up) logger.warn({ device: result.device, error: result.error }, "device did not answer");
    for (const e of result.readingErrors) logger.warn({ device: result.device, reading: e.reading, error: e.error }, "reading failed");

    const at = result.startedAt;
    const tracks = this.tracksOf(result.device);
    this.observe(device, UNREACHABLE, {}, !result.up, at);
    const seen = new Set<string>();
    for (const o of result.observations) {
      seen.add(instanceKey(result.device, o.condition.name, o.labels));
      this.observe(device, o.condition, o.labels, o.observed, at);
    }
    // Instances not observed this poll (device down, reading failed) keep their state: an unknown
    // is not evidence either way.
    for (const [key, inst] of tracks)
      if (inst.condition !== UNREACHABLE.name && !seen.has(key) && inst.track.pendingPolls > 0)
        inst.track = { state: inst.track.state, pendingPolls: 0 };
    if (metrics) {
      const firing = new Map<string, number>();
      for (const inst of tracks.values()) {
        firing.set(inst.condition, (firing.get(inst.condition) ?? 0) + (inst.track.state === "firing" ? 1 : 0));
      }
      for (const [condition, n] of firing) metrics.conditionFiring.set({ device: result.device, condition }, n);
    }
  }

  /**
   * The device is read with other profiles now: a firing condition they no longer declare is cleared
   * (the same event as a poll's clear), since no poll would ever clear it. Those still declared keep
   * their state and go on being evaluated.
   */
  private clearLeftOver(device: PreparedDevice, reprobe: Reprobe, at: number): void {
    const id = device.config.id;
    const reason = leftOverReason(reprobe.reason, reprobe.from, reprobe.to);
    this.leftOverDue.delete(id);
    for (const [key, inst] of leftOverInstances(this.tracksOf(id), device.profile.profile, AGENT_OWN)) {
      this.deps.logger.info(
        { device: id, condition: inst.condition, labels: inst.labels, reason },
        "condition cleared: the device's profiles no longer declare it",
      );
      const cleared: TrackedInstance = { ...inst, track: { state: "clear", pendingPolls: 0 } };
      if (this.emit(cleared, key, "clear", at, { name: inst.condition })) inst.track = cleared.track;
      else this.leftOverDue.set(id, reprobe);
    }
  }

  private observe(
    device: PreparedDevice,
    condition: ProfileCondition,
    labels: Record<string, string>,
    observed: boolean,
    at: number,
  ): void {
    const key = instanceKey(device.config.id, condition.name, labels);
    const tracks = this.tracksOf(device.config.id);
    const held = tracks.get(key);
    const step = debounceStep(held?.track ?? initialTrack, observed, at, condition);
    // A steady instance (the usual poll) keeps the object held: polling retains nothing new, so the old
    // generation is not filled with last poll's copies.
    if (held && !step.change && held.track.pendingPolls === 0 && step.track.pendingPolls === 0 && held.track.state === step.track.state)
      return;
    const inst: TrackedInstance = { device: device.config.id, condition: condition.name, labels, track: step.track };
    // A change the outbox did not take leaves the instance where it was: the next poll makes the same
    // change again (with the same observedAt), rather than the agent believing what the collector never hears.
    if (step.change && !this.emit(inst, key, step.change.state, step.change.observedAt, condition)) return;
    tracks.set(key, inst);
  }

  /**
   * Puts a condition change and the instance's new track in the outbox; false when the outbox could
   * not take them (a full disk, an I/O error): the failure is reported and the caller keeps the
   * instance's previous track, so the change is made again once the disk has room.
   */
  private emit(
    inst: TrackedInstance,
    key: string,
    state: "firing" | "clear",
    observedAt: number,
    condition: Pick<ProfileCondition, "name" | "title" | "class">,
  ): boolean {
    // A trap can carry a label value of any length; the collector takes LABEL_VALUE_MAX characters.
    const labels = Object.fromEntries(
      Object.entries(inst.labels).map(([k, v]) => [k, truncateText(v, LABEL_VALUE_MAX)]),
    );
    const event: ConditionEvent = {
      id: `${this.deps.agentId}-${randomUUID()}`,
      type: "condition",
      device: inst.device,
      condition: condition.name,
      labels,
      state,
      observedAt: new Date(observedAt).toISOString(),
      title: condition.title === undefined ? undefined : truncateText(condition.title, TITLE_MAX),
      classHint: condition.class,
    };
    try {
      this.deps.outbox?.appendWithTrack(event, key, inst);
    } catch (err) {
      const context = { device: event.device, condition: event.condition, labels, state: event.state, observedAt: event.observedAt };
      const message = "condition change not written to the outbox; the next poll makes it again";
      if (this.deps.errors) this.deps.errors.report("outbox", err, message, context);
      else this.deps.logger.error({ ...context, error: err instanceof Error ? err.message : String(err) }, message);
      return false;
    }
    // Logged once it is in the outbox: every "condition changed" line is an event the collector will get.
    this.deps.logger.info(
      { event: event.id, device: event.device, condition: event.condition, labels, state: event.state, observedAt: event.observedAt },
      "condition changed",
    );
    return true;
  }

  /** Current state of every condition instance of a device (for --once and the API). */
  conditionsOf(deviceId: string): { name: string; labels: Record<string, string>; state: "firing" | "clear" }[] {
    return [...(this.tracks.get(deviceId)?.values() ?? [])].map((inst) => ({ name: inst.condition, labels: inst.labels, state: inst.track.state }));
  }

  /**
   * A condition change that did not come from a poll (an SNMP trap): sent at once, then a poll of the
   * device confirms or clears it through the usual debounce.
   */
  injectCondition(
    deviceId: string,
    condition: Pick<ProfileCondition, "name" | "title" | "class">,
    labels: Record<string, string>,
    state: "firing" | "clear",
    at: number,
  ): void {
    const run = this.runs.get(deviceId);
    if (!run) return;
    // A trap names the port by ifIndex, ifDescr or ifName; the fault is the port as the polls name it.
    const { ifindex, ...named } = labels;
    if (ifindex !== undefined) {
      for (const port of run.ports.values())
        if (port.ifindex === ifindex) {
          named.ifname = port.ifname;
          break;
        }
      labels = named;
    }
    // A port fault only for a monitored port; any other port's trap is only a reason to poll.
    const ifname = labels.ifname;
    const portScoped =
      condition.name === "if.down" ||
      run.device.profile.profile.conditions.some((c) => c.name === condition.name && c.ports === "monitored");
    if (portScoped && (ifname === undefined || !isMonitoredPort(run.device.config.ports, run.ports.get(ifname) ?? { ifname }))) {
      void this.pollNow(deviceId);
      return;
    }
    const key = instanceKey(deviceId, condition.name, labels);
    const tracks = this.tracksOf(deviceId);
    if (tracks.get(key)?.track.state === state) return;
    const inst: TrackedInstance = { device: deviceId, condition: condition.name, labels, track: { state, pendingPolls: 0 } };
    // Not written: the track stays as it was, and the poll below (or the next trap) may make the change.
    if (this.emit(inst, key, state, at, condition)) tracks.set(key, inst);
    void this.pollNow(deviceId).catch((err: unknown) => this.pollFailed(deviceId, err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const run of this.runs.values()) clearTimeout(run.timer);
    await Promise.allSettled([...this.runs.values()].map((r) => r.inFlight));
    await Promise.allSettled([...this.runs.values()].map((r) => r.session.close()));
  }
}
