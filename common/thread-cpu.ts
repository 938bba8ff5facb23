import { openSync, readSync } from "node:fs";

/** The open /proc/thread-self/schedstat of this thread; null where there is none (not Linux). */
let schedstat: number | null | undefined;
const buffer = Buffer.alloc(64);

/**
 * CPU time of the thread running this event loop, in ms: Linux's /proc/thread-self/schedstat (time on
 * CPU in ns, read again from the file opened once: about 2 µs), so V8's parallel GC threads and
 * libuv's pool are not counted as the loop held; process.cpuUsage() (every thread) elsewhere. The file
 * is opened by the first call, on the thread whose time it then tells: call it from one thread only
 * (each worker has its own module state, so each worker measures itself).
 */
export function threadCpuMs(): number {
  if (schedstat === undefined) {
    try {
      schedstat = openSync("/proc/thread-self/schedstat", "r");
    } catch {
      schedstat = null;
    }
  }
  if (schedstat !== null) {
    const n = readSync(schedstat, buffer, 0, buffer.length, 0);
    const ns = Number(buffer.toString("latin1", 0, n).split(" ")[0]);
    if (Number.isFinite(ns)) return ns / 1e6;
  }
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
