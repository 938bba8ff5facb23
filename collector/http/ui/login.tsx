/** The login form (name + password, or an API token) and the error page every UI failure shows. */
import { Message } from "./format.tsx";
import { type Lang, WORDS } from "./i18n.ts";
import { Layout } from "./layout.tsx";
import type { Viewer } from "./page.ts";

/**
 * Where a login may return to: a path of this UI only ("/ui" or "/ui/…", with its query), never another
 * origin ("//host", "https:", "/\\host"), so a link cannot turn the login into an open redirect.
 */
export function safeNext(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length > 2000) return undefined;
  if (!/^\/ui(?:[/?#]|$)/.test(raw) || raw.startsWith("//") || /[\\\s]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw, "http://watchfloor.invalid");
  } catch {
    return undefined;
  }
  if (url.origin !== "http://watchfloor.invalid" || !/^\/ui(?:\/|$)/.test(url.pathname)) return undefined;
  if (url.pathname === "/ui/login" || url.pathname === "/ui/logout") return undefined;
  return url.pathname + url.search + url.hash;
}

/** The login page's address that returns to `next` afterwards (plain "/ui/login" for the board). */
export function loginUrl(next: string | undefined): string {
  return next && next !== "/ui" ? `/ui/login?next=${encodeURIComponent(next)}` : "/ui/login";
}

export function loginPage(p: { lang: Lang; name?: string; error?: string; next?: string; expired?: boolean }) {
  const w = WORDS[p.lang];
  const next = p.next ? <input type="hidden" name="next" value={p.next} /> : null;
  return (
    <Layout title={w.login} path="/ui/login" lang={p.lang}>
      <section class="login">
        {p.error ? (
          <Message kind="error" text={p.error} />
        ) : p.expired ? (
          <p class="error" role="alert" id="session-expired">
            {w.sessionExpired}
          </p>
        ) : (
          <p>{w.loginHint}</p>
        )}
        <form method="post" action="/ui/login">
          {next}
          <label for="name">{w.userName}</label>
          <input type="text" id="name" name="name" autocomplete="username" value={p.name} autofocus />
          <label for="password">{w.password}</label>
          <input type="password" id="password" name="password" autocomplete="current-password" />
          <button type="submit" id="login" class="primary">
            {w.login}
          </button>
        </form>
        <details>
          <summary>{w.orToken}</summary>
          <form method="post" action="/ui/login">
            {next}
            <label for="token">{w.tokenLabel}</label>
            <input type="password" id="token" name="token" autocomplete="off" required />
            <button type="submit" id="login-token">
              {w.login}
            </button>
          </form>
        </details>
      </section>
    </Layout>
  );
}

/** `toLogin`: the way out of a request without a usable session is the login page, not the board. */
export function errorPage(p: { lang: Lang; viewer?: Viewer; status: number; text: string; toLogin?: boolean }) {
  const w = WORDS[p.lang];
  return (
    <Layout title={`${p.status} · ${w.error}`} path="/ui" lang={p.lang} viewer={p.viewer}>
      <Message kind="error" text={p.text} />
      <p>
        {p.toLogin ? (
          <a href="/ui/login" id="to-login">
            {w.login}
          </a>
        ) : (
          <a href="/ui">{w.back}</a>
        )}
      </p>
    </Layout>
  );
}
