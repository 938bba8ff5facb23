import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";

/**
 * Where an error the agent did not expect came from: a bounded set, so the metric's labels stay few.
 * `process` is the last wall (an uncaught exception or unhandled rejection no component caught).
 */
export type ErrorComponent = "snmp_traps" | "poll" | "heartbeat" | "outbox" | "process";

/**
 * Unexpected errors, isolated per component: logged with where they came from, counted in
 * `watchfloor_agent_errors_total{component}`, and the component carries on. One bad packet or one
 * driver bug must not take the other devices down with it.
 */
export class AgentErrors {
  private readonly counter: Counter<"component">;

  constructor(
    private readonly logger: Logger,
    registry?: Registry,
  ) {
    this.counter =
      (registry?.getSingleMetric("watchfloor_agent_errors_total") as Counter<"component"> | undefined) ??
      new Counter({
        name: "watchfloor_agent_errors_total",
        help: "Unexpected errors caught and isolated, by component (snmp_traps, poll, heartbeat, outbox, process).",
        labelNames: ["component"],
        registers: registry ? [registry] : [],
      });
    // Present at 0 from the start, so a rate() over it works before the first error.
    for (const c of ["snmp_traps", "poll", "heartbeat", "outbox", "process"] as const) this.counter.inc({ component: c }, 0);
  }

  report(component: ErrorComponent, err: unknown, message: string, context: Record<string, unknown> = {}): void {
    this.counter.inc({ component });
    const e = err instanceof Error ? err : new Error(String(err));
    this.logger.error({ component, ...context, error: e.message, errorName: e.name, stack: e.stack }, message);
  }
}

/**
 * The last wall: an exception or rejection no component caught is reported under `process` and the
 * agent carries on — unless they come in a burst (more than `burst` within `windowMs`), which means
 * the agent is failing as a whole; then it says so and exits non-zero for its supervisor to restart it.
 */
export function installProcessGuards(
  errors: AgentErrors,
  opts: {
    burst?: number;
    windowMs?: number;
    exit: (message: string) => void;
    /** The process, or a stand-in emitter in tests. */
    target?: Pick<NodeJS.EventEmitter, "on" | "off">;
    now?: () => number;
  },
): () => void {
  const target = opts.target ?? process;
  const clock = opts.now ?? Date.now;
  const burst = opts.burst ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const recent: number[] = [];
  const onError = (kind: string) => (err: unknown) => {
    errors.report("process", err, `${kind} no component caught; isolated, the agent carries on`);
    const now = clock();
    recent.push(now);
    while (recent.length > 0 && recent[0]! <= now - windowMs) recent.shift();
    if (recent.length > burst)
      opts.exit(
        `${recent.length} uncaught errors within ${windowMs / 1000} s (last: ${err instanceof Error ? err.message : String(err)}); the agent cannot go on`,
      );
  };
  const onException = onError("an exception");
  const onRejection = onError("a promise rejection");
  target.on("uncaughtException", onException);
  target.on("unhandledRejection", onRejection);
  return () => {
    target.off("uncaughtException", onException);
    target.off("unhandledRejection", onRejection);
  };
}
