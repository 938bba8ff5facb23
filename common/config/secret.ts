import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
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

/** A secret file holds a token or a key: anything larger is a mistake (or /dev/zero), not a secret. */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;

/**
 * Reads a secret file: a regular file of at most SECRET_FILE_MAX_BYTES. Devices, FIFOs and
 * directories are refused without reading (`/dev/zero` would never end, a FIFO would block).
 */
function readSecretFile(path: string): SecretResolution {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block before we can refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, error: `secret file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, error: `secret file ${path} is not a regular file` };
    if (st.size > SECRET_FILE_MAX_BYTES)
      return { ok: false, error: `secret file ${path} is ${st.size} bytes; expected at most ${SECRET_FILE_MAX_BYTES}` };
    const buf = Buffer.alloc(SECRET_FILE_MAX_BYTES + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > SECRET_FILE_MAX_BYTES)
      return { ok: false, error: `secret file ${path} is over ${SECRET_FILE_MAX_BYTES} bytes` };
    return { ok: true, value: buf.subarray(0, n).toString("utf8").trim() };
  } catch (err) {
    return { ok: false, error: `secret file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})` };
  } finally {
    closeSync(fd);
  }
}

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
  return readSecretFile(name!);
}
