/**
 * The one-tap acknowledge page a page's link opens (/ack/<token>, collector/http/paging.ts): styled like
 * the rest of the UI, phone first, with the person's name, each fault in words and one large button.
 * GET only shows it (chat apps prefetch links); the button's POST acknowledges. Chinese, or English
 * with ?lang=en: the header's language link stays on this page (it led to the login page before).
 */

const ACK_WORDS = {
  zh: { title: "确认故障", lead: (who: string) => `${who}，请确认以下故障，表示您已开始远程支持：`, button: "确认响应（远程支持已开始）" },
  en: {
    title: "Acknowledge faults",
    lead: (who: string) => `${who}, acknowledge these faults to say that remote support has started:`,
    button: "Acknowledge (remote support started)",
  },
} as const;
import type { Fault, Inventory } from "../../domain/index.ts";
import { deviceOf, faultTitle, whatFailed } from "./conditions.ts";
import { ClassBadge, Message } from "./format.tsx";
import { type Lang, WORDS } from "./i18n.ts";
import { documentHtml } from "./jsx/jsx-runtime.ts";
import { Layout } from "./layout.tsx";

function FaultLine(p: { id: string; fault?: Fault; inventory: Inventory; lang: Lang }) {
  if (!p.fault) return <li>{p.id}</li>;
  const f = p.fault;
  return (
    <li class={`card card-${f.class}`}>
      <div class="card-head">
        <ClassBadge cls={f.class} lang={p.lang} />
      </div>
      <h3>{faultTitle(f, p.inventory, p.lang)}</h3>
      <p class="what">{whatFailed(f, p.lang)}</p>
      <p class="where">{deviceOf(p.inventory, f.device).name}</p>
    </li>
  );
}

/** `path`: the link's own path (/ack/<token>), so the language link and the form stay on it. */
export function ackConfirmPage(p: {
  person: string;
  faults: Array<{ id: string; fault?: Fault }>;
  inventory: Inventory;
  lang: Lang;
  path: string;
}): string {
  const w = ACK_WORDS[p.lang];
  return documentHtml(
    <Layout title={w.title} path={p.path} lang={p.lang}>
      <p class="lead">{w.lead(p.person)}</p>
      <ul class="cards ack-list">
        {p.faults.map((f) => (
          <FaultLine id={f.id} fault={f.fault} inventory={p.inventory} lang={p.lang} />
        ))}
      </ul>
      {/* No action: the form posts to the page's own address, ?lang=en included. */}
      <form method="post">
        <button type="submit" id="ack" class="primary big-button">
          {w.button}
        </button>
      </form>
    </Layout>,
  );
}

export function ackResultPage(p: {
  title: string;
  lines: Array<{ text: string; ok: boolean }>;
  error?: string;
  lang: Lang;
  path: string;
}): string {
  return documentHtml(
    <Layout title={p.title} path={p.path} lang={p.lang}>
      {p.error ? <Message kind="error" text={p.error} /> : null}
      <ul class="ack-result">
        {p.lines.map((l) => (
          <li class={l.ok ? "ok" : "bad"}>{l.text}</li>
        ))}
      </ul>
      <p>
        <a href="/ui">{WORDS[p.lang].back}</a>
      </p>
    </Layout>,
  );
}
