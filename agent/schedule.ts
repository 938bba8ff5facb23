/**
 * Where in its interval each device is polled. The phase comes from a stable hash of the device id (as
 * Prometheus offsets its scrapes), so many devices with one interval spread evenly over all of it and
 * a restarted agent polls each device at the same point of the interval as before.
 */

/** FNV-1a, 32 bits, over the id's UTF-8 bytes. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** MurmurHash3's 32-bit finaliser: FNV alone leaves ids like dev-1, dev-2 … bunched in its high bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The device's offset within its interval, in [0, intervalMs). */
export function pollPhase(deviceId: string, intervalMs: number): number {
  return Math.floor((fmix32(fnv1a32(deviceId)) / 2 ** 32) * intervalMs);
}

/**
 * The first slot (epoch ms, on the grid k × interval + phase) strictly after `after`: a poll at a slot
 * asks for the next one, never the same one twice.
 */
export function nextSlot(after: number, intervalMs: number, phaseMs: number): number {
  const k = Math.floor((after - phaseMs) / intervalMs) + 1;
  return k * intervalMs + phaseMs;
}
