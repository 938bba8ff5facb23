import type { FastifyInstance } from "fastify";

/** The first cookie whose value is not valid percent-encoding, or undefined. */
export function malformedCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    try {
      decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return part.slice(0, eq).trim();
    }
  }
  return undefined;
}

/**
 * Request checks that do not depend on the route: a Cookie header that does not decode is the
 * client's fault (400, naming the cookie), checked once here rather than wherever a cookie is read.
 */
export function registerRequestGuards(app: FastifyInstance): void {
  app.addHook("onRequest", async (req, reply) => {
    const bad = malformedCookie(req.headers.cookie);
    if (bad !== undefined)
      return reply
        .code(400)
        .send({ error: "bad_request", message: `cookie ${JSON.stringify(bad.slice(0, 100))} is not valid percent-encoding` });
  });
}
