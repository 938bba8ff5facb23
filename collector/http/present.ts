import type { FastifyReply } from "fastify";
import { type DomainError, type Fault, faultOut, formatInstant, type MaintenanceWindow, type Policy } from "../domain/index.ts";

const CLASS_ZH = { major: "重大", severe: "严重", general: "一般" } as const;

/** The domain's fault JSON (site-zone ISO times), plus the Chinese class name and the comments themselves. */
export function presentFault(f: Fault, now: number, policy: Policy) {
  return {
    ...faultOut(f, now, policy),
    class_zh: CLASS_ZH[f.class],
    comments: f.comments.map((c) => ({ ...c, at: formatInstant(c.at, policy.timezone) })),
  };
}

export function presentWindow(w: MaintenanceWindow, policy: Policy) {
  const iso = (t: number) => formatInstant(t, policy.timezone);
  return {
    ...w,
    start: iso(w.start),
    end: iso(w.end),
    announced: iso(w.announced),
    recordedAt: iso(w.recordedAt),
  };
}

/** Domain errors are values with stable codes; each code has one HTTP status. */
export function sendDomainError(reply: FastifyReply, error: DomainError): FastifyReply {
  const status = error.code.endsWith("NOT_FOUND") ? 404 : error.code.startsWith("INVALID") ? 400 : 409;
  return reply.code(status).send({ error: error.code, message: error.message });
}
