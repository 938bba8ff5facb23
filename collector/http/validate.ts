import type { FastifyReply } from "fastify";
import type { z } from "zod";
import { formatPath } from "../../common/config/load.ts";

/** A query string that did not parse, in words: `fault: expected string, received array`. */
export function queryProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${formatPath(i.path.filter((p) => typeof p !== "symbol")) || "query"}: ${i.message}`).join("; ");
}

/** Validates a request body; on failure answers 400 naming each bad field, and returns undefined. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, reply: FastifyReply): z.output<S> | undefined {
  const res = schema.safeParse(body ?? {});
  if (res.success) return res.data;
  void reply.code(400).send({
    error: "bad_request",
    message: "the request body is not valid",
    issues: res.error.issues.map((i) => ({ path: formatPath(i.path.filter((p) => typeof p !== "symbol")), message: i.message })),
  });
  return undefined;
}
