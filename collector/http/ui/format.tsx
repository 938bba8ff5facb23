/** Small pieces every page shows the same way: times, durations, class and status badges, deadlines. */
import { evaluate, type Fault, formatInstant, type Policy } from "../../domain/index.ts";
import { CLASS_NAMES, DEADLINE_NAMES, type Lang, named, STATUS_NAMES, type Words } from "./i18n.ts";

/** "2026-11-25 09:00:00" in the site zone, with the full ISO instant in `datetime`. */
export function siteTime(instant: number, timeZone: string): string {
  return formatInstant(instant, timeZone).slice(0, 19).replace("T", " ");
}

export function Time(props: { at: number; tz: string }) {
  return <time datetime={formatInstant(props.at, props.tz)}>{siteTime(props.at, props.tz)}</time>;
}

/** "1小时05分" / "1 h 05 min"; days when over 24 h. The same rule as assets/app.js (countdowns). */
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

export function ClassBadge(props: { cls: string; lang: Lang }) {
  return <span class={`class class-${props.cls}`}>{named(CLASS_NAMES, props.lang, props.cls)}</span>;
}

export function StatusBadge(props: { status: string; lang: Lang }) {
  return <span class={`status status-${props.status}`}>{named(STATUS_NAMES, props.lang, props.status)}</span>;
}

/**
 * Each deadline: time left (ticking in the browser: `data-due` is the instant, app.js rewrites the text
 * every second against the server's clock), "已超时 …" once breached, or met.
 */
export function Deadlines(props: { fault: Fault; now: number; policy: Policy; lang: Lang; w: Words }) {
  const { lang, w } = props;
  const items = evaluate(props.fault, props.now, props.policy).deadlines.map((d) => {
    const kind = named(DEADLINE_NAMES, lang, d.kind);
    if (d.status === "met") return <li class="dl-met">{`${kind}: ${w.metAt} ✓`}</li>;
    if (d.status === "breached") {
      const over = duration(d.missedBySeconds ?? 0, w);
      return (
        <li class="dl-breached">
          {`${kind}: `}
          <span class="countdown" data-due={String(d.due)}>
            {lang === "zh" ? `${w.overdue} ${over}` : `${w.overdue} (${over} over)`}
          </span>
        </li>
      );
    }
    const left = duration(d.secondsLeft ?? 0, w);
    return (
      <li class="dl-pending">
        {`${kind}: `}
        <span class="countdown" data-due={String(d.due)}>
          {lang === "zh" ? `${w.left} ${left}` : `${left} ${w.left}`}
        </span>
      </li>
    );
  });
  return <ul class="deadlines">{items}</ul>;
}

export function Message(props: { kind: "error" | "info"; text: string }) {
  return (
    <p class={props.kind} role={props.kind === "error" ? "alert" : "status"}>
      {props.text}
    </p>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
