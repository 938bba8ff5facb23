/**
 * The page frame every UI page shares: header with the menu the viewer's role may use, the language
 * switch, and the scripts (static files only: the CSP allows no inline script). The CSRF token rides on
 * <body hx-headers>, so every htmx request carries it; plain forms carry it in a hidden field.
 */
import type { Role } from "../../store/store.ts";
import { type Lang, named, ROLE_NAMES, WORDS, type Words } from "./i18n.ts";
import type { Child } from "./jsx/jsx-runtime.ts";
import { mayUse, type Viewer } from "./page.ts";

/** The menu: one line per area; a page module adds its own line here. */
export const NAV: ReadonlyArray<{ href: string; word: keyof Words; roles?: readonly Role[] }> = [
  { href: "/ui", word: "board" },
  { href: "/ui/inspections", word: "inspections" },
  { href: "/ui/windows", word: "windows", roles: ["facility_manager", "engineer", "client_auditor"] },
  { href: "/ui/exemptions", word: "exemptions", roles: ["client_auditor", "facility_manager"] },
  { href: "/ui/report", word: "report", roles: ["client_auditor", "facility_manager", "engineer"] },
  { href: "/ui/users", word: "users", roles: [] },
];

export interface LayoutProps {
  title: string;
  /** Path without query, for the language switch. */
  path: string;
  lang: Lang;
  viewer?: Viewer;
  /** Server time the page was rendered at: countdowns tick from it, not from the phone's clock. */
  now?: number;
  /** Open the live event stream (board, fault page). */
  live?: boolean;
  /** Extra <meta name content> pairs (the report's stamp). */
  meta?: Record<string, string>;
  children?: Child;
}

export function Layout(p: LayoutProps) {
  const w = WORDS[p.lang];
  const other = p.lang === "zh" ? "en" : "zh";
  const v = p.viewer;
  const csrfHeader = v ? JSON.stringify({ "x-csrf-token": v.csrf }) : undefined;
  return (
    <html lang={p.lang === "zh" ? "zh-CN" : "en"}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        {Object.entries(p.meta ?? {}).map(([name, content]) => (
          <meta name={name} content={content} />
        ))}
        <title>{`${p.title} · Watchfloor`}</title>
        <link rel="stylesheet" href="/ui/assets/style.css" />
        <script src="/ui/assets/htmx.min.js" defer></script>
        <script src="/ui/assets/app.js" defer></script>
      </head>
      <body
        hx-headers={csrfHeader}
        data-lang={p.lang}
        data-server-now={p.now === undefined ? undefined : String(p.now)}
        data-live={p.live ? "/ui/events" : undefined}
      >
        <header>
          <a class="brand" href="/ui">
            {w.appName}
          </a>
          <nav>
            {v
              ? NAV.filter((n) => mayUse(v.role, n.roles)).map((n) => (
                  <a href={n.href} class={p.path === n.href ? "here" : undefined}>
                    {w[n.word]}
                  </a>
                ))
              : null}
            <a href={`${p.path}?lang=${other}`} id="lang">
              {w.language}
            </a>
            {v ? (
              <span class="who">
                {`${v.name} (${named(ROLE_NAMES, p.lang, v.role)})`}
                <form method="post" action="/ui/logout" class="inline">
                  <input type="hidden" name="_csrf" value={v.csrf} />
                  <button type="submit" class="link">
                    {w.logout}
                  </button>
                </form>
              </span>
            ) : null}
          </nav>
        </header>
        <p id="offline" class="error" hidden>
          {w.offline}
        </p>
        <main>
          <h1>{p.title}</h1>
          {p.children}
        </main>
        <footer>{w.timesNote}</footer>
      </body>
    </html>
  );
}
