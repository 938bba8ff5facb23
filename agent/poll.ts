import { observeConditions } from "./conditions/evaluate.ts";
import { portFactsOf, scopeToPorts } from "./conditions/port-scope.ts";
import type { PortFacts } from "../common/ports.ts";
import { DeviceUnreachableError, type DriverSession } from "./drivers/types.ts";
import { mapReadings, type Reading, type ReadingError } from "./profiles/map.ts";
import type { LoadedProfile } from "./profiles/load.ts";
import type { ProfileWatch, Reprobe } from "./profiles/watch.ts";
import type { PreparedDevice } from "./site.ts";

export interface PollResult {
  device: string;
  up: boolean;
  /** Why the device is down, when it is. */
  error?: string;
  /** The poll was cut off by the device's timeout (the device did not answer in time). */
  timedOut: boolean;
  readings: Reading[];
  readingErrors: ReadingError[];
  observations: ReturnType<typeof observeConditions>;
  /** Each port's description and admin status, by ifname (devices with interfaces). */
  ports: Map<string, PortFacts>;
  startedAt: number;
  durationSeconds: number;
  /** The device's profile was composed again this poll (`profile: auto`); the readings are the new profile's. */
  reprobe?: Reprobe;
}

/** A re-probe not yet reported (it may have finished after an earlier poll was cut off). */
function reprobeOf(device: PreparedDevice): { reprobe?: Reprobe } {
  const reprobe = device.watch?.takeChange();
  return reprobe ? { reprobe } : {};
}

/** A watched device's sources: its profile's, then the watch's (one array per profile, kept). */
const withIdentity = new WeakMap<LoadedProfile, unknown[]>();
function sourcesOf(profile: LoadedProfile, watch: ProfileWatch): unknown[] {
  let sources = withIdentity.get(profile);
  if (!sources) {
    sources = [...profile.sources, ...watch.sources];
    withIdentity.set(profile, sources);
  }
  return sources;
}

/**
 * One poll of one device: read through the driver, map through the profile, observe conditions.
 * Never throws for device trouble: a device that does not answer is a result with up=false.
 */
export async function pollDevice(
  device: PreparedDevice,
  session: DriverSession,
  timeoutSeconds: number,
  now: () => number,
): Promise<PollResult> {
  const startedAt = now();
  const started = performance.now();
  const base = { device: device.config.id, startedAt, readings: [], readingErrors: [], observations: [], timedOut: false, ports: new Map() };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new DeviceUnreachableError(`no answer within ${timeoutSeconds}s`));
    }, timeoutSeconds * 1000);
  });
  try {
    let profile = device.profile;
    const watch = device.watch;
    let reads = await Promise.race([
      session.read(watch ? sourcesOf(profile, watch) : profile.sources, controller.signal),
      timeout,
    ]);
    if (watch) {
      const own = profile.sources.length;
      await Promise.race([watch.check(reads.slice(own)), timeout]);
      reads = reads.slice(0, own);
      // The device changed: this poll's readings come from the profile that fits it now.
      if (device.profile !== profile) {
        profile = device.profile;
        reads = await Promise.race([session.read(profile.sources, controller.signal), timeout]);
      }
    }
    const { readings, errors } = mapReadings(profile.profile.readings, reads);
    const ports = portFactsOf(readings);
    const observations = scopeToPorts(
      observeConditions(profile.profile.conditions, readings),
      ports,
      device.config.ports,
    );
    return {
      ...base,
      ports,
      up: true,
      readings,
      readingErrors: errors,
      observations,
      durationSeconds: (performance.now() - started) / 1000,
      ...reprobeOf(device),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Anything other than "the device did not answer" is a malformed reply or a driver bug: the device
    // is marked, with the reason, and the agent carries on with the others.
    const error = err instanceof DeviceUnreachableError ? message : `driver error: ${message}`;
    return { ...base, up: false, error, timedOut, durationSeconds: (performance.now() - started) / 1000, ...reprobeOf(device) };
  } finally {
    clearTimeout(timer);
  }
}
