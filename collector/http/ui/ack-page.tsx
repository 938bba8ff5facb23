/**
 * The one-tap acknowledge page a page's link opens (/ack/<token>, collector/http/paging.ts): styled like
 * the rest of the UI, phone first, with the person's name, each fault in words and one large button.
 * GET only shows it (chat apps prefetch links); the button's POST acknowledges.
 */
import type { Fault, Inventory } from "../../domain/index.ts";
import { deviceOf, faultTitle, whatFailed } from "./conditions.ts";
import { ClassBadge, Message } from "./format.tsx";
import { WORDS } from "./i18n.ts";
import { documentHtml } from "./jsx/jsx-runtime.ts";
import { Layout } from "./layout.tsx";

function FaultLine(p: { id: string; fault?: Fault; inventory: Inventory }) {
  if (!p.fault) return <li>{p.id}</li>;
  const f = p.fault;
  return (
    <li class={`card card-${f.class}`}>
      <div class="card-head">
        <ClassBadge cls={f.class} lang="zh" />
      </div>
      <h3>{faultTitle(f, p.inventory, "zh")}</h3>
      <p class="what">{whatFailed(f, "zh")}</p>
      <p class="where">{deviceOf(p.inventory, f.device).name}</p>
    </li>
  );
}

export function ackConfirmPage(p: { person: string; faults: Array<{ id: string; fault?: Fault }>; inventory: Inventory }): string {
  return documentHtml(
    <Layout title="确认故障" path="/ui" lang="zh">
      <p class="lead">{`${p.person}，请确认以下故障，表示您已开始远程支持：`}</p>
      <ul class="cards ack-list">
        {p.faults.map((f) => (
          <FaultLine id={f.id} fault={f.fault} inventory={p.inventory} />
        ))}
      </ul>
      <form method="post">
        <button type="submit" id="ack" class="primary big-button">
          确认响应（远程支持已开始）
        </button>
      </form>
    </Layout>,
  );
}

export function ackResultPage(p: {
  title: string;
  lines: Array<{ text: string; ok: boolean }>;
  error?: string;
}): string {
  return documentHtml(
    <Layout title={p.title} path="/ui" lang="zh">
      {p.error ? <Message kind="error" text={p.error} /> : null}
      <ul class="ack-result">
        {p.lines.map((l) => (
          <li class={l.ok ? "ok" : "bad"}>{l.text}</li>
        ))}
      </ul>
      <p>
        <a href="/ui">{WORDS.zh.back}</a>
      </p>
    </Layout>,
  );
}
