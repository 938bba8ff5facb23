import pino, { type Logger } from "pino";

/**
 * One logger per process, passed down. Secrets are Secret objects that print as "[secret]"; the
 * redact list is a second wall for tokens that arrive as plain strings (HTTP headers).
 */
export function createLogger(
  name: string,
  opts: { level?: string; stream?: "stdout" | "stderr" } = {},
): Logger {
  return pino(
    {
      name,
      level: opts.level ?? process.env.WATCHFLOOR_LOG_LEVEL ?? "info",
      redact: { paths: ["token", "*.token", "authorization", "*.authorization", "req.headers.authorization"], censor: "[secret]" },
    },
    pino.destination(opts.stream === "stderr" ? 2 : 1),
  );
}
