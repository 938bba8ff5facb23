/**
 * People and their web sessions: password login (scrypt) beside API tokens, disabling, role changes, and
 * the UI's sessions in the database so a collector restart logs nobody out. Tokens themselves are made by
 * CollectorStore.addUser (shown once, stored hashed).
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import type { Role } from "./store.ts";
import { byText, type StoreDb } from "./store-db.ts";

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

function scryptAsync(
  password: string,
  salt: Buffer,
  opts: { N: number; r: number; p: number; keylen: number },
): Promise<Buffer> {
  const o: ScryptOptions = { N: opts.N, r: opts.r, p: opts.p, maxmem: 256 * opts.N * opts.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, opts.keylen, o, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$key", base64url: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
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
  constructor(private db: StoreDb) {}

  async users(): Promise<UserRow[]> {
    const rows = byText(await this.db.q.selectFrom("users").selectAll().execute(), (r) => r.name);
    return rows.map((r) => ({
      name: r.name,
      role: r.role as Role,
      createdAt: r.created_at,
      hasPassword: r.password_hash !== null,
      disabled: r.disabled === 1,
    }));
  }

  async user(name: string): Promise<UserRow | undefined> {
    return (await this.users()).find((u) => u.name === name);
  }

  /**
   * A new password ends the user's sessions (a reset after a lost laptop must log the laptop out), all
   * but `keepSession`: the one of a person setting their own password.
   */
  async setPassword(name: string, password: string, keepSession?: string): Promise<boolean> {
    return this.changeUser(name, { password_hash: await hashPassword(password) }, keepSession);
  }

  /** The user when the password is theirs and they are not disabled. */
  async checkPassword(name: string, password: string): Promise<{ name: string; role: Role } | undefined> {
    const row = await this.db.q
      .selectFrom("users")
      .select(["name", "role", "password_hash"])
      .where("name", "=", name)
      .where("disabled", "=", 0)
      .executeTakeFirst();
    // Unknown names still pay for one hash, so timing does not tell which names exist.
    const ok = await passwordMatches(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row?.password_hash ? { name: row.name, role: row.role as Role } : undefined;
  }

  /** Disabling (or re-enabling) ends the user's sessions; their token stops working at once. */
  setDisabled(name: string, disabled: boolean): Promise<boolean> {
    return this.changeUser(name, { disabled: disabled ? 1 : 0 });
  }

  setRole(name: string, role: Role): Promise<boolean> {
    return this.changeUser(name, { role });
  }

  private changeUser(
    name: string,
    set: { disabled: number } | { role: Role } | { password_hash: string },
    keepSession?: string,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.q.updateTable("users").set(set).where("name", "=", name).executeTakeFirst();
      await new Accounts(tx).endSessionsOf(name, keepSession);
      return changed.numUpdatedRows === 1n;
    });
  }

  async createSession(user: string, now: number): Promise<{ id: string; csrfSecret: string }> {
    await this.db.q.deleteFrom("ui_sessions").where("expires_at", "<=", now).execute();
    const id = randomBytes(32).toString("base64url");
    const csrfSecret = randomBytes(18).toString("base64url");
    await this.db.q
      .insertInto("ui_sessions")
      .values({
        id_hash: sha256(id),
        user_name: user,
        csrf_secret: csrfSecret,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
      })
      .execute();
    return { id, csrfSecret };
  }

  /**
   * A live session of an enabled user (its role as it is now). Sliding: used in the second half of its
   * life it is renewed, so a board left open (refreshing every few minutes) stays logged in for weeks
   * while a session nobody uses ends after 12 h.
   */
  async session(id: string, now: number): Promise<SessionRow | undefined> {
    const row = await this.db.q
      .selectFrom("ui_sessions as s")
      .innerJoin("users as u", "u.name", "s.user_name")
      .select(["s.csrf_secret", "s.expires_at", "u.name", "u.role"])
      .where("s.id_hash", "=", sha256(id))
      .where("s.expires_at", ">", now)
      .where("u.disabled", "=", 0)
      .executeTakeFirst();
    if (!row) return undefined;
    let expiresAt = row.expires_at;
    if (expiresAt - now < SESSION_TTL_MS / 2) {
      expiresAt = now + SESSION_TTL_MS;
      await this.db.q
        .updateTable("ui_sessions")
        .set({ expires_at: expiresAt })
        .where("id_hash", "=", sha256(id))
        .execute();
    }
    return { user: { name: row.name, role: row.role as Role }, csrfSecret: row.csrf_secret, expiresAt };
  }

  async endSession(id: string): Promise<void> {
    await this.db.q.deleteFrom("ui_sessions").where("id_hash", "=", sha256(id)).execute();
  }

  async endSessionsOf(name: string, keepSession?: string): Promise<void> {
    let q = this.db.q.deleteFrom("ui_sessions").where("user_name", "=", name);
    if (keepSession !== undefined) q = q.where("id_hash", "!=", sha256(keepSession));
    await q.execute();
  }
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${"A".repeat(22)}$${"A".repeat(43)}`;
