import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import type { ConditionEvent } from "../common/wire.ts";
import { type ConditionTrack, debounceStep, initialTrack } from "./conditions/debounce.ts";
import { instanceKey } from "./conditions/evaluate.ts";
import { drivers } from "./drivers/registry.ts";
import type { DriverSession } from "./drivers/types.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { Outbox } from "./outbox/outbox.ts";
import { type PollResult, pollDevice } from "./poll.ts";
import type { Debounce, ProfileCondition } from "./profiles/schema.ts";
import type { PreparedDevice } from "./site.ts";

/** device.unreachable is built in: two missed polls open it, one answer clears it. */
export const UNREACHABLE: ProfileCondition = {
  name: "device.unreachable",
  title: "设备无响应 / device unreachable",
  when: { reading: "device_up", labels: {}, op: "eq", value: 0 },
  fireAfter: { polls: 2 } as Debounce,
  clearAfter: { polls: 1 } as Debounce,
};

export interface AgentDeps {
  agentId: string;
  devices: PreparedDevice[];
  clock: Clock;
  logger: Logger;
  metrics?: AgentMetrics;
  /** Absent in --once mode: nothing is sent or remembered. */
  outbox?: Outbox;
  jitter?: number;
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
  timer?: NodeJS.Timeout;
  inFlight?: Promise<PollResult>;
  /** A poll asked for (a trap arrived) while one was running. */
  again?: boolean;
}

/**
 * Polls every device on its own timer (interval with jitter; never two polls of one device at once,
 * so a slow device delays only itself), maps readings, debounces conditions and puts every condition
 * change in the outbox.
 */
export class Agent {
  private runs = new Map<string, DeviceRun>();
  private tracks: Map<string, TrackedInstance>;
  private stopped = false;

  constructor(private deps: AgentDeps) {
    this.tracks = (deps.outbox?.loadTracks() ?? new Map()) as Map<string, TrackedInstance>;
    for (const device of deps.devices) {
      const driver = drivers[device.config.driver]!;
      const session = driver.open(device.config, device.options, {
        logger: deps.logger.child({ device: device.config.id }),
      });
      this.runs.set(device.config.id, { device, session });
    }
  }

  /** Starts every device's schedule; the first poll of each lands within its jitter. */
  start(): void {
    for (const run of this.runs.values()) {
      const spread = run.device.config.interval * (this.deps.jitter ?? 0.1) * Math.random();
      run.timer = setTimeout(() => void this.cycle(run), spread * 1000);
    }
  }

  private async cycle(run: DeviceRun): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    await this.pollNow(run.device.config.id);
    if (this.stopped) return;
    const interval = run.device.config.interval * 1000;
    const jitter = interval * (this.deps.jitter ?? 0.1) * (Math.random() - 0.5);
    const wait = Math.max(0, started + interval + jitter - Date.now());
    run.timer = setTimeout(() => void this.cycle(run), wait);
  }

  /** Polls one device now (or right after its running poll), e.g. to confirm a trap. */
  async pollNow(deviceId: string): Promise<PollResult | undefined> {
    const run = this.runs.get(deviceId);
    if (!run) return undefined;
    if (run.inFlight) {
      run.again = true;
      return run.inFlight;
    }
    const cfg = run.device.config;
    const timeout = cfg.timeout ?? Math.min(cfg.interval, 10);
    run.inFlight = pollDevice(run.device, run.session, timeout, () => this.deps.clock.now());
    this.deps.metrics?.polls.inc({ device: cfg.id });
    let result: PollResult;
    try {
      result = await run.inFlight;
    } finally {
      run.inFlight = undefined;
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
    const device = this.runs.get(result.device)!.device;
    if (metrics) {
      metrics.deviceUp.set({ device: result.device }, result.up ? 1 : 0);
      metrics.pollDuration.set({ device: result.device }, result.durationSeconds);
      if (!result.up) metrics.pollErrors.inc({ device: result.device, kind: "unreachable" });
      if (result.readingErrors.length) metrics.pollErrors.inc({ device: result.device, kind: "reading" }, result.readingErrors.length);
      if (result.up) metrics.setReadings(result.device, result.readings);
    }
    if (!result.up) logger.warn({ device: result.device, error: result.error }, "device did not answer");
    for (const e of result.readingErrors) logger.warn({ device: result.device, reading: e.reading, error: e.error }, "reading failed");

    const at = result.startedAt;
    this.observe(device, UNREACHABLE, {}, !result.up, at);
    const seen = new Set<string>();
    for (const o of result.observations) {
      seen.add(instanceKey(result.device, o.condition.name, o.labels));
      this.observe(device, o.condition, o.labels, o.observed, at);
    }
    // Instances not observed this poll (device down, reading failed) keep their state: an unknown
    // is not evidence either way.
    for (const [key, inst] of this.tracks)
      if (inst.device === result.device && inst.condition !== UNREACHABLE.name && !seen.has(key) && inst.track.pendingPolls > 0)
        inst.track = { state: inst.track.state, pendingPolls: 0 };
    if (metrics) {
      const firing = new Map<string, number>();
      for (const inst of this.tracks.values()) {
        if (inst.device !== result.device) continue;
        firing.set(inst.condition, (firing.get(inst.condition) ?? 0) + (inst.track.state === "firing" ? 1 : 0));
      }
      for (const [condition, n] of firing) metrics.conditionFiring.set({ device: result.device, condition }, n);
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
    const step = debounceStep(this.tracks.get(key)?.track ?? initialTrack, observed, at, condition);
    const inst: TrackedInstance = { device: device.config.id, condition: condition.name, labels, track: step.track };
    this.tracks.set(key, inst);
    if (step.change) this.emit(inst, key, step.change.state, step.change.observedAt, condition);
  }

  private emit(
    inst: TrackedInstance,
    key: string,
    state: "firing" | "clear",
    observedAt: number,
    condition: Pick<ProfileCondition, "name" | "title" | "class">,
  ): void {
    const { labels } = inst;
    const event: ConditionEvent = {
      id: `${this.deps.agentId}-${randomUUID()}`,
      type: "condition",
      device: inst.device,
      condition: condition.name,
      labels,
      state,
      observedAt: new Date(observedAt).toISOString(),
      title: condition.title,
      classHint: condition.class,
    };
    this.deps.logger.info(
      { event: event.id, device: event.device, condition: event.condition, labels, state: event.state, observedAt: event.observedAt },
      "condition changed",
    );
    this.deps.outbox?.appendWithTrack(event, key, inst);
  }

  /** Current state of every condition instance of a device (for --once and the API). */
  conditionsOf(deviceId: string): { name: string; labels: Record<string, string>; state: "firing" | "clear" }[] {
    return [...this.tracks.values()]
      .filter((inst) => inst.device === deviceId)
      .map((inst) => ({ name: inst.condition, labels: inst.labels, state: inst.track.state }));
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
    const key = instanceKey(deviceId, condition.name, labels);
    const previous = this.tracks.get(key)?.track;
    if (previous?.state === state) return;
    const inst: TrackedInstance = { device: deviceId, condition: condition.name, labels, track: { state, pendingPolls: 0 } };
    this.tracks.set(key, inst);
    this.emit(inst, key, state, at, condition);
    void this.pollNow(deviceId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const run of this.runs.values()) clearTimeout(run.timer);
    await Promise.allSettled([...this.runs.values()].map((r) => r.inFlight));
    await Promise.allSettled([...this.runs.values()].map((r) => r.session.close()));
  }
}
