/**
 * People and their web sessions: password login (scrypt) beside API tokens, disabling, role changes, and
 * the UI's sessions in the database so a collector restart logs nobody out. Tokens themselves are made by
 * CollectorStore.addUser (shown once, stored hashed).
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import type Database from "better-sqlite3";
import type { Role } from "./store.ts";

/** OWASP's scrypt floor (N=2^17 is its first choice; 2^15 keeps a login near 50 ms on a small box). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;
const SESSION_TTL_MS = 12 * 3600_000;

export interface UserRow {
  name: string;
  role: Role;
  createdAt: number;
  hasPassword: boolean;
  disabled: boolean;
}

export interface SessionRow {
  user: { name: string; role: Role };
  csrfSecret: string;
  expiresAt: number;
}

function scryptAsync(password: string, salt: Buffer, opts: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  const o: ScryptOptions = { N: opts.N, r: opts.r, p: opts.p, maxmem: 256 * opts.N * opts.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, opts.keylen, o, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$key", base64url: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split("$");
  if (kind !== "scrypt" || !salt || !key) return false;
  const want = Buffer.from(key, "base64url");
  const got = await scryptAsync(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keylen: want.length,
  });
  return got.length === want.length && timingSafeEqual(got, want);
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export class Accounts {
  constructor(private db: Database.Database) {}

  users(): UserRow[] {
    return (this.db.prepare("SELECT * FROM users ORDER BY name").all() as Array<Record<string, unknown>>).map(
      (r) => ({
        name: r.name as string,
        role: r.role as Role,
        createdAt: r.created_at as number,
        hasPassword: r.password_hash !== null,
        disabled: r.disabled === 1,
      }),
    );
  }

  user(name: string): UserRow | undefined {
    return this.users().find((u) => u.name === name);
  }

  async setPassword(name: string, password: string): Promise<boolean> {
    const hash = await hashPassword(password);
    return this.db.prepare("UPDATE users SET password_hash = ? WHERE name = ?").run(hash, name).changes === 1;
  }

  /** The user when the password is theirs and they are not disabled. */
  async checkPassword(name: string, password: string): Promise<{ name: string; role: Role } | undefined> {
    const row = this.db
      .prepare("SELECT name, role, password_hash FROM users WHERE name = ? AND disabled = 0")
      .get(name) as { name: string; role: Role; password_hash: string | null } | undefined;
    // Unknown names still pay for one hash, so timing does not tell which names exist.
    const ok = await passwordMatches(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row?.password_hash ? { name: row.name, role: row.role } : undefined;
  }

  /** Disabling (or re-enabling) ends the user's sessions; their token stops working at once. */
  setDisabled(name: string, disabled: boolean): boolean {
    const changed = this.db.prepare("UPDATE users SET disabled = ? WHERE name = ?").run(disabled ? 1 : 0, name);
    this.endSessionsOf(name);
    return changed.changes === 1;
  }

  setRole(name: string, role: Role): boolean {
    const changed = this.db.prepare("UPDATE users SET role = ? WHERE name = ?").run(role, name);
    this.endSessionsOf(name);
    return changed.changes === 1;
  }

  createSession(user: string, now: number): { id: string; csrfSecret: string } {
    this.db.prepare("DELETE FROM ui_sessions WHERE expires_at <= ?").run(now);
    const id = randomBytes(32).toString("base64url");
    const csrfSecret = randomBytes(18).toString("base64url");
    this.db
      .prepare(
        "INSERT INTO ui_sessions (id_hash, user_name, csrf_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(sha256(id), user, csrfSecret, now, now + SESSION_TTL_MS);
    return { id, csrfSecret };
  }

  /**
   * A live session of an enabled user (its role as it is now). Sliding: used in the second half of its
   * life it is renewed, so a board left open (refreshing every few minutes) stays logged in for weeks
   * while a session nobody uses ends after 12 h.
   */
  session(id: string, now: number): SessionRow | undefined {
    const row = this.db
      .prepare(
        `SELECT s.csrf_secret, s.expires_at, u.name, u.role FROM ui_sessions s JOIN users u ON u.name = s.user_name
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
      )
      .get(sha256(id), now) as { csrf_secret: string; expires_at: number; name: string; role: Role } | undefined;
    if (!row) return undefined;
    let expiresAt = row.expires_at;
    if (expiresAt - now < SESSION_TTL_MS / 2) {
      expiresAt = now + SESSION_TTL_MS;
      this.db.prepare("UPDATE ui_sessions SET expires_at = ? WHERE id_hash = ?").run(expiresAt, sha256(id));
    }
    return { user: { name: row.name, role: row.role }, csrfSecret: row.csrf_secret, expiresAt };
  }

  endSession(id: string): void {
    this.db.prepare("DELETE FROM ui_sessions WHERE id_hash = ?").run(sha256(id));
  }

  endSessionsOf(name: string): void {
    this.db.prepare("DELETE FROM ui_sessions WHERE user_name = ?").run(name);
  }
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${"A".repeat(22)}$${"A".repeat(43)}`;
