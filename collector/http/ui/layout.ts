/** The page frame and the small formatting every UI page shares. All text from users goes through esc(). */
import { formatInstant } from "../../domain/index.ts";
import type { Lang, Words } from "./i18n.ts";

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A site-zone time, readable ("2026-11-25 09:00:00"), with the full ISO instant in `datetime`. */
export function showTime(instant: number, timeZone: string): string {
  const iso = formatInstant(instant, timeZone);
  return `<time datetime="${esc(iso)}">${esc(iso.slice(0, 19).replace("T", " "))}</time>`;
}

/** "1小时05分" / "1 h 05 min"; days when over 24 h. */
export function duration(seconds: number, w: Words): string {
  const total = Math.floor(Math.abs(seconds) / 60);
  if (total < 1) return w.lessThanMinute;
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  const sep = w.minute === "分" ? "" : " ";
  const parts: string[] = [];
  if (d) parts.push(`${d}${sep}${w.day}`);
  if (d || h) parts.push(`${h}${sep}${w.hour}`);
  parts.push(`${d || h ? String(m).padStart(2, "0") : m}${sep}${w.minute}`);
  return parts.join(sep);
}

export interface Frame {
  lang: Lang;
  w: Words;
  title: string;
  /** The path without query, for the language toggle. */
  path: string;
  user?: { name: string; role: string; csrf: string };
  refreshSeconds?: number;
}

export function layout(f: Frame, body: string): string {
  const other = f.lang === "zh" ? "en" : "zh";
  const user = f.user
    ? `<span class="who">${esc(f.user.name)} (${esc(f.user.role)})</span>` +
      `<form method="post" action="/ui/logout" class="inline">${csrfField(f.user.csrf)}` +
      `<button type="submit" class="link">${esc(f.w.logout)}</button></form>`
    : "";
  return (
    `<!doctype html><html lang="${f.lang === "zh" ? "zh-CN" : "en"}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    (f.refreshSeconds ? `<meta http-equiv="refresh" content="${f.refreshSeconds}">` : "") +
    `<title>${esc(f.title)} · Watchfloor</title><link rel="stylesheet" href="/ui/style.css"></head><body>` +
    `<header><a class="brand" href="/ui">${esc(f.w.appName)}</a><nav>` +
    (f.user ? `<a href="/ui">${esc(f.w.board)}</a>` : "") +
    `<a href="${esc(f.path)}?lang=${other}" id="lang">${esc(f.w.language)}</a>${user}</nav></header>` +
    `<main><h1>${esc(f.title)}</h1>${body}</main>` +
    `<footer>${esc(f.w.timesNote)}${f.refreshSeconds ? ` · ${esc(f.w.refreshNote)}` : ""}</footer>` +
    `</body></html>`
  );
}

export function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
}

export function message(kind: "error" | "info", text: string): string {
  return `<p class="${kind}" role="${kind === "error" ? "alert" : "status"}">${esc(text)}</p>`;
}
