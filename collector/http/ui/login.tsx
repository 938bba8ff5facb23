/** The login form (name + password, or an API token) and the error page every UI failure shows. */
import { Message } from "./format.tsx";
import { type Lang, WORDS } from "./i18n.ts";
import { Layout } from "./layout.tsx";
import type { Viewer } from "./page.ts";

export function loginPage(p: { lang: Lang; name?: string; error?: string }) {
  const w = WORDS[p.lang];
  return (
    <Layout title={w.login} path="/ui/login" lang={p.lang}>
      <section class="login">
        {p.error ? <Message kind="error" text={p.error} /> : <p>{w.loginHint}</p>}
        <form method="post" action="/ui/login">
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

export function errorPage(p: { lang: Lang; viewer?: Viewer; status: number; text: string }) {
  const w = WORDS[p.lang];
  return (
    <Layout title={`${p.status} · ${w.error}`} path="/ui" lang={p.lang} viewer={p.viewer}>
      <Message kind="error" text={p.text} />
      <p>
        <a href="/ui">{w.back}</a>
      </p>
    </Layout>
  );
}
