/** What iputils ping's closing summary says: sent, received, and the round trips in milliseconds. */
export interface PingSummary {
  transmitted: number;
  received: number;
  rttMs?: { min: number; avg: number; max: number };
}

/**
 * Reads the summary iputils ping prints at the end ("3 packets transmitted, 2 received, …" and
 * "rtt min/avg/max/mdev = 0.013/0.027/0.036/0.010 ms"); undefined when there is none (ping did not run).
 */
export function parsePingSummary(output: string): PingSummary | undefined {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  if (!counts) return undefined;
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/[\d.]+ ms/.exec(output);
  return {
    transmitted: Number(counts[1]),
    received: Number(counts[2]),
    ...(rtt ? { rttMs: { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } } : {}),
  };
}
