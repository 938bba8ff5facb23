import { execFile } from "node:child_process";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { type ProbeFields, probeDriver, secondsSince } from "../probe.ts";
import { ICMP_FIELDS, type IcmpField, type IcmpOptions, icmpOptionsSchema } from "./options.ts";
import { parsePingSummary } from "./summary.ts";

/** ping could not send at all: the agent's host lacks the binary or the right to open an ICMP socket. */
const CANNOT_PING = /Operation not permitted|Permission denied|socket: |ENOENT|EACCES/i;

/**
 * One burst of echo requests through iputils ping (Node has no raw or ICMP datagram sockets). A target
 * that does not answer is loss 1 and success 0; a host where ping cannot run is a driver error that
 * names the fix (the device shows down with it), never a silent "link down".
 */
export function probeIcmp(device: DeviceConfig, o: IcmpOptions, signal: AbortSignal): Promise<ProbeFields<IcmpField>> {
  const host = device.address.replace(/^\[|\]$/g, "");
  const args = ["-n", "-q", "-c", String(o.count), "-i", String(o.intervalMs / 1000), "-W", String(o.timeoutMs / 1000)];
  // -w bounds the whole burst: the last request's wait included.
  args.push("-w", String(Math.ceil((o.count * o.intervalMs + o.timeoutMs) / 1000)), host);
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(o.ping, args, { signal, env: { LC_ALL: "C" } }, (err, stdout, stderr) => {
      const duration = secondsSince(started);
      const summary = parsePingSummary(stdout);
      if (!summary) {
        const text = `${stderr}${err && "code" in err ? ` ${err.code}` : ""}`.trim();
        if (signal.aborted) return fail(new Error("ping cancelled (poll timeout)"));
        if (CANNOT_PING.test(text))
          return fail(
            new Error(
              `${o.ping} cannot send ICMP here (${text}): install iputils-ping, and allow it (sysctl net.ipv4.ping_group_range, or setcap cap_net_raw+ep on the binary); or probe the link with driver tcp`,
            ),
          );
        // Name not known, network unreachable: nothing answered.
        return done({ success: 0, loss: 1, duration });
      }
      const loss = summary.transmitted ? 1 - summary.received / summary.transmitted : 1;
      const rtt = summary.rttMs;
      const degraded = loss > o.lossThreshold || (rtt !== undefined && rtt.avg > o.rttThresholdMs);
      // A link with no answer at all is down, not degraded: one fault, not two.
      done({
        success: summary.received > 0 ? 1 : 0,
        loss: Number(loss.toFixed(6)),
        duration,
        ...(summary.received > 0 ? { degraded: degraded ? 1 : 0 } : {}),
        ...(rtt ? { rtt_avg: rtt.avg / 1000, rtt_max: rtt.max / 1000 } : {}),
      });
    });
  });
}

export const icmpDriver = probeDriver("icmp", icmpOptionsSchema, ICMP_FIELDS, (device, options) => ({
  probe: (signal) => probeIcmp(device, options, signal),
}));
