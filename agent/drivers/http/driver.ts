import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { type ProbeFields, probeDriver, secondsSince } from "../probe.ts";
import { bodyPasses } from "./assert.ts";
import { HTTP_FIELDS, type HttpField, type HttpOptions, httpOptionsSchema } from "./options.ts";

/** Bodies are read for assertions up to this size; a health endpoint that sends more is cut there. */
const MAX_BODY = 1 << 20;

/** Seconds until the certificate's notAfter, read from the live connection (also one that failed to verify). */
function certRemaining(socket: TLSSocket | null | undefined, now: number): number | undefined {
  if (typeof socket?.getPeerCertificate !== "function") return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert?.valid_to) return undefined;
  return Math.round((Date.parse(cert.valid_to) - now) / 1000);
}

function peerCertRemaining(url: URL, timeoutMs: number): Promise<number | undefined> {
  return new Promise((done) => {
    const socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
      timeout: timeoutMs,
    });
    socket.once("secureConnect", () => {
      done(certRemaining(socket, Date.now()));
      socket.destroy();
    });
    socket.once("timeout", () => socket.destroy());
    socket.once("error", () => done(undefined));
    socket.once("close", () => done(undefined));
  });
}

/**
 * One request per poll on a fresh connection (so every poll sees the TLS handshake and the certificate
 * the server presents now). Success: an expected status and every assertion passing.
 */
export function probeHttp(device: DeviceConfig, o: HttpOptions, signal: AbortSignal): Promise<ProbeFields<HttpField>> {
  const url = new URL(device.address);
  const tls = url.protocol === "https:";
  const ca = o.tls.ca ? readFileSync(o.tls.ca) : undefined;
  const headers = Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k, v.reveal()]));
  const started = performance.now();
  const assertions = o.text !== undefined || o.json !== undefined;
  return new Promise((done) => {
    const fail = (err: Error) => {
      const duration = secondsSince(started);
      // A certificate that does not verify (expired, unknown CA) still has days left to report: read
      // it on a second connection that sends nothing.
      if (!tls || !("code" in err) || !String(err.code).match(/CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME/))
        return done({ success: 0, duration });
      peerCertRemaining(url, o.timeoutMs).then((remaining) =>
        done({ success: 0, duration, ...(remaining !== undefined ? { cert_remaining: remaining } : {}) }),
      );
    };
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      {
        method: o.method,
        headers,
        agent: false,
        timeout: o.timeoutMs,
        signal,
        ...(tls ? { rejectUnauthorized: !o.tls.insecure, ...(ca ? { ca } : {}) } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const remaining = tls ? certRemaining(res.socket as TLSSocket, Date.now()) : undefined;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("error", fail);
        res.on("end", () => {
          const statusOk = o.expectStatus ? o.expectStatus.includes(status) : status >= 200 && status < 300;
          const passed = !assertions || bodyPasses(Buffer.concat(chunks).toString("utf8"), o);
          done({
            success: statusOk && passed ? 1 : 0,
            duration: secondsSince(started),
            status,
            ...(assertions ? { assertion: passed ? 1 : 0 } : {}),
            ...(remaining !== undefined ? { cert_remaining: remaining } : {}),
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", fail);
    req.end(o.body);
  });
}

export const httpDriver = probeDriver("http", httpOptionsSchema, HTTP_FIELDS, (device, options) => ({
  probe: (signal) => probeHttp(device, options, signal),
}));
