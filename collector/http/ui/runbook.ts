/**
 * Runbooks (应急预案): Markdown files in config/runbooks/, one per condition (`if.down.md`), device class
 * (`ups.md`) or fault class (`major.md`), the most specific first. Rendered safely: raw HTML in the file
 * is shown as text, links may only be http(s), mailto, tel or relative, images are not loaded.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { escapeHtml } from "@kitajs/html";
import { Marked } from "marked";

const SAFE_HREF = /^(https?:|mailto:|tel:|\/|#|\.{0,2}\/)/i;

const markdown = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
    link({ href, title, tokens }) {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href)) return label;
      const t = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(href)}"${t} rel="noopener noreferrer">${label}</a>`;
    },
  },
});

export const DEFAULT_RUNBOOK_DIR = new URL("../../../config/runbooks/", import.meta.url).pathname;

export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false });
}

/** The runbook for a fault, rendered, and which file it came from; undefined when none applies. */
export function runbookFor(
  dir: string,
  keys: { condition: string; deviceClass?: string; faultClass: string },
): { file: string; html: string } | undefined {
  const names = [keys.condition, keys.deviceClass, keys.faultClass, "default"].filter(
    (n): n is string => !!n && /^[a-z0-9_.-]+$/i.test(n),
  );
  for (const name of names) {
    const file = join(dir, `${name}.md`);
    try {
      return { file: `${name}.md`, html: renderMarkdown(readFileSync(file, "utf8")) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return undefined;
}
