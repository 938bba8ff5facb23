/** One fault: its facts, deadlines, the audit timeline, and the ack / resolve forms for those allowed. */
import type { AuditEntryFields, Fault, Policy } from "../../domain/index.ts";
import { classBadge, deadlineList, statusBadge } from "./board.ts";
import { ACTION_NAMES, type Lang, type Words } from "./i18n.ts";
import { csrfField, esc, message, showTime } from "./layout.ts";

function detailText(detail: unknown, timeZone: string): string {
  if (!detail || typeof detail !== "object") return "";
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => {
      const shown =
        typeof v === "number" && (k.endsWith("At") || k === "due") ? showTime(v, timeZone) : esc(v);
      return `<span class="kv"><span class="k">${esc(k)}</span> ${shown}</span>`;
    })
    .join(" ");
}

function actionForms(f: Fault, csrf: string, w: Words): string {
  const form = (path: string, label: string, id: string) =>
    `<form method="post" action="/ui/faults/${encodeURIComponent(f.id)}/${path}" class="action">${csrfField(csrf)}` +
    `<label>${esc(w.note)} <input type="text" name="note" maxlength="2000"></label>` +
    `<button type="submit" id="${id}">${esc(label)}</button></form>`;
  const forms: string[] = [];
  if (f.status === "open") forms.push(form("ack", w.ack, "ack"));
  if (f.status === "open" || f.status === "acknowledged") forms.push(form("resolve", w.resolve, "resolve"));
  return forms.length ? `<section class="actions">${forms.join("")}</section>` : "";
}

export function renderFault(
  data: {
    fault: Fault;
    timeline: Array<Pick<AuditEntryFields, "at" | "actor" | "action" | "detail">>;
    now: number;
    policy: Policy;
    canAct: boolean;
    csrf: string;
    error?: string;
  },
  lang: Lang,
  w: Words,
): string {
  const { fault: f, policy } = data;
  const tz = policy.timezone;
  const who = (label: string, by: string | undefined, at: number | undefined) =>
    by !== undefined && at !== undefined
      ? `<dt>${esc(label)}</dt><dd class="${label === w.acknowledgedBy ? "acked-by" : "resolved-by"}">${esc(by)} · ${showTime(at, tz)}</dd>`
      : "";
  const facts =
    `<section><dl class="facts"><dt>${esc(w.class)}</dt><dd>${classBadge(f.class, lang)}</dd>` +
    `<dt>${esc(w.status)}</dt><dd id="status">${statusBadge(f.status, lang)}</dd>` +
    `<dt>${esc(w.device)}</dt><dd>${esc(f.device)} <span class="muted">${esc(f.condition)}</span></dd>` +
    `<dt>${esc(w.openedAt)}</dt><dd>${showTime(f.openedAt, tz)}</dd>` +
    who(w.acknowledgedBy, f.acknowledgedBy, f.acknowledgedAt) +
    who(w.resolvedBy, f.resolvedBy, f.resolvedAt) +
    `<dt>${esc(w.deadlines)}</dt><dd>${deadlineList(f, data.now, policy, lang, w)}</dd></dl></section>`;
  const rows = data.timeline
    .map(
      (e) =>
        `<tr><td>${showTime(e.at, tz)}</td><td>${esc(e.actor)}</td>` +
        `<td>${esc(ACTION_NAMES[lang][e.action] ?? e.action)}</td><td>${detailText(e.detail, tz)}</td></tr>`,
    )
    .join("");
  const timeline =
    `<section id="timeline"><h2>${esc(w.timeline)}</h2><table class="list"><thead><tr><th>${esc(w.at)}</th>` +
    `<th>${esc(w.actor)}</th><th>${esc(w.action)}</th><th>${esc(w.detail)}</th></tr></thead><tbody>${rows}</tbody></table></section>`;
  const actions = data.canAct ? actionForms(f, data.csrf, w) : `<p class="muted">${esc(w.readOnly)}</p>`;
  return (data.error ? message("error", data.error) : "") + facts + actions + timeline;
}
