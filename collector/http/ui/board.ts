/** The floor board: who is on call, the open faults with their clocks, and the quarter's KPI. */
import { evaluate, type Fault, type KpiReport, type Policy } from "../../domain/index.ts";
import { CLASS_NAMES, DEADLINE_NAMES, type Lang, STATUS_NAMES, type Words } from "./i18n.ts";
import { duration, esc, showTime } from "./layout.ts";

export interface OnCallView {
  dutyDay: string;
  roles: Array<{ role: string; person?: string; name?: string; source: string; reason?: string }>;
}

const CLASS_RANK = { major: 0, severe: 1, general: 2 } as const;

export function classBadge(cls: string, lang: Lang): string {
  return `<span class="class class-${esc(cls)}">${esc(CLASS_NAMES[lang][cls] ?? cls)}</span>`;
}

export function statusBadge(status: string, lang: Lang): string {
  return `<span class="status status-${esc(status)}">${esc(STATUS_NAMES[lang][status] ?? status)}</span>`;
}

/** Each deadline: time left, "已超时 …" once breached, or met. */
export function deadlineList(f: Fault, now: number, policy: Policy, lang: Lang, w: Words): string {
  const around = (x: string) => (lang === "zh" ? x : `(${x} over)`);
  const items = evaluate(f, now, policy).deadlines.map((d) => {
    const kind = esc(DEADLINE_NAMES[lang][d.kind] ?? d.kind);
    if (d.status === "met") return `<li class="dl-met">${kind}: ${esc(w.metAt)} ✓</li>`;
    if (d.status === "breached")
      return `<li class="dl-breached">${kind}: ${esc(w.overdue)} ${esc(around(duration(d.missedBySeconds ?? 0, w)))}</li>`;
    const left = duration(d.secondsLeft ?? 0, w);
    return `<li class="dl-pending">${kind}: ${esc(lang === "zh" ? `${w.left} ${left}` : `${left} ${w.left}`)}</li>`;
  });
  return `<ul class="deadlines">${items.join("")}</ul>`;
}

function onCallSection(oncall: OnCallView | undefined, w: Words): string {
  if (!oncall)
    return `<section id="oncall"><h2>${esc(w.onCall)}</h2><p class="muted">${esc(w.noRoster)}</p></section>`;
  const rows = oncall.roles
    .map((r) => {
      const who = r.person ? `${esc(r.name ?? r.person)}` : `<span class="muted">${esc(w.nobody)}</span>`;
      const note =
        r.source === "override"
          ? ` <span class="muted">(${esc(w.override)}${r.reason ? `: ${esc(r.reason)}` : ""})</span>`
          : "";
      return `<tr><th scope="row">${esc(r.role)}</th><td class="person">${who}${note}</td></tr>`;
    })
    .join("");
  return (
    `<section id="oncall"><h2>${esc(w.onCall)} <small>${esc(w.dutyDay)} ${esc(oncall.dutyDay)}</small></h2>` +
    `<table>${rows}</table></section>`
  );
}

function faultsSection(faults: Fault[], now: number, policy: Policy, lang: Lang, w: Words): string {
  const open = faults
    .filter((f) => f.status === "open" || f.status === "acknowledged")
    .sort((a, b) => CLASS_RANK[a.class] - CLASS_RANK[b.class] || a.openedAt - b.openedAt);
  if (open.length === 0)
    return `<section id="faults"><h2>${esc(w.openFaults)}</h2><p class="muted">${esc(w.noOpenFaults)}</p></section>`;
  const rows = open
    .map(
      (f) =>
        `<tr class="fault row-${esc(f.class)}"><td>${classBadge(f.class, lang)}</td><td>${esc(f.device)}</td>` +
        `<td><a href="/ui/faults/${encodeURIComponent(f.id)}">${esc(f.title)}</a></td>` +
        `<td>${statusBadge(f.status, lang)}</td><td>${showTime(f.openedAt, policy.timezone)}</td>` +
        `<td>${deadlineList(f, now, policy, lang, w)}</td></tr>`,
    )
    .join("");
  return (
    `<section id="faults"><h2>${esc(w.openFaults)} <small>(${open.length})</small></h2><table class="list"><thead><tr>` +
    `<th>${esc(w.class)}</th><th>${esc(w.device)}</th><th>${esc(w.title)}</th><th>${esc(w.status)}</th>` +
    `<th>${esc(w.openedAt)}</th><th>${esc(w.deadlines)}</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function kpiSection(kpi: KpiReport, w: Words): string {
  const pct = (x: number) => `${(Math.floor(x * 10000) / 100).toFixed(2)} %`;
  const yuan = `¥${kpi.deductionCny.toLocaleString("en-US")}`;
  return (
    `<section id="kpi"><h2>${esc(w.kpi)} <small>${esc(kpi.period.label)}</small></h2>` +
    `<p class="big ${kpi.metTarget ? "ok" : "bad"}">${esc(pct(kpi.timeliness))}` +
    ` <small>${esc(w.target)} ${esc(pct(kpi.target))}</small></p><dl>` +
    `<dt>${esc(w.met)}</dt><dd>${kpi.met}</dd><dt>${esc(w.breached)}</dt><dd>${kpi.breached}</dd>` +
    `<dt>${esc(w.pending)}</dt><dd>${kpi.pending}</dd><dt>${esc(w.exempted)}</dt><dd>${kpi.exempted}</dd>` +
    `<dt>${esc(w.deduction)}</dt><dd class="${kpi.deductionCny > 0 ? "bad" : ""}">${esc(yuan)}</dd></dl></section>`
  );
}

export function renderBoard(
  data: { oncall: OnCallView | undefined; faults: Fault[]; kpi: KpiReport; now: number; policy: Policy },
  lang: Lang,
  w: Words,
): string {
  return (
    `<div class="board">${onCallSection(data.oncall, w)}${kpiSection(data.kpi, w)}</div>` +
    faultsSection(data.faults, data.now, data.policy, lang, w)
  );
}
