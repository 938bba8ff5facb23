import { readFileSync } from "node:fs";
import { inspect } from "node:util";

/**
 * A value that must never reach a log. It prints as "[secret]" through JSON, util.inspect and
 * string conversion; only reveal() hands out the text, at the place it is used.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return "[secret]";
  }
  toString(): string {
    return "[secret]";
  }
  [inspect.custom](): string {
    return "[secret]";
  }
}

export type SecretResolution = { ok: true; value: string } | { ok: false; error: string };

/** Resolves `${env:NAME}` and `${file:/path}` references; plain text passes through. */
export function resolveSecretText(text: string, env: NodeJS.ProcessEnv = process.env): SecretResolution {
  const ref = /^\$\{(env|file):([^}]+)\}$/.exec(text.trim());
  if (!ref) return { ok: true, value: text };
  const [, kind, name] = ref;
  if (kind === "env") {
    const value = env[name!];
    if (value === undefined || value === "") return { ok: false, error: `environment variable ${name} is not set` };
    return { ok: true, value };
  }
  try {
    return { ok: true, value: readFileSync(name!, "utf8").trim() };
  } catch (err) {
    return { ok: false, error: `secret file ${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})` };
  }
}
