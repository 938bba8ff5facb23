/**
 * The UI's JSX runtime: @kitajs/html's serialiser (attributes, void tags, its escaper) with one change —
 * text children are escaped by default. kitajs renders elements to plain strings, so it cannot tell
 * markup from a user's text and leaves children unescaped unless marked `safe`; here an element is a
 * `SafeHtml` value and every other child is text. Trusted markup from elsewhere (a rendered Markdown
 * runbook, an SVG chart) enters only through `raw()`, where a reviewer can see it.
 */
import { attributesToString, escapeHtml, isVoidElement } from "@kitajs/html";

export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = SafeHtml | string | number | boolean | null | undefined | readonly Child[];
export type Component<P = Record<string, unknown>> = (props: P & { children?: Child }) => SafeHtml;

/** Markup that is already safe (produced by a sanitiser or a renderer we trust). */
export function raw(html: string): SafeHtml {
  return new SafeHtml(html);
}

function childrenToHtml(child: Child): string {
  if (child === null || child === undefined || child === false || child === true) return "";
  if (child instanceof SafeHtml) return child.html;
  if (Array.isArray(child)) {
    let out = "";
    for (const c of child as readonly Child[]) out += childrenToHtml(c);
    return out;
  }
  return escapeHtml(String(child));
}

type Props = { children?: Child; [attr: string]: unknown };

export function jsx(tag: string | ((props: Props) => SafeHtml), props: Props): SafeHtml {
  if (typeof tag === "function") return tag(props);
  const attrs = attributesToString(props);
  if (props.children === undefined && isVoidElement(tag)) return new SafeHtml(`<${tag}${attrs}>`);
  return new SafeHtml(`<${tag}${attrs}>${childrenToHtml(props.children)}</${tag}>`);
}

export const jsxs = jsx;
export const jsxDEV = jsx;

export function Fragment(props: { children?: Child }): SafeHtml {
  return new SafeHtml(childrenToHtml(props.children));
}

/** A whole document: the doctype, then the element. */
export function documentHtml(root: SafeHtml): string {
  return `<!doctype html>${root.html}`;
}

type Attributes = { children?: Child; [attr: string]: unknown };

export declare namespace JSX {
  type Element = SafeHtml;
  interface ElementChildrenAttribute {
    children: unknown;
  }
  interface IntrinsicElements {
    [tag: string]: Attributes;
  }
}
