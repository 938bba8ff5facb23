/**
 * A fault's audit entries as sentences people read: who did what, in their language, with the fault's
 * own words (class names, deadlines, people's names) — never a raw key such as `openedAt` or `rule:5`.
 * An action this file does not know yet still reads as "记录 · <action>" rather than disappearing.
 */
import type { AuditEntryFields } from "../../domain/index.ts";
import { conditionName, whatFailed } from "./conditions.ts";
import { siteTime } from "./format.tsx";
import { CLASS_NAMES, DEADLINE_NAMES, type Lang, named } from "./i18n.ts";

export type TimelineEntry = Pick<AuditEntryFields, "at" | "actor" | "action" | "detail">;

export interface TimelineContext {
  lang: Lang;
  tz: string;
  personName: (id: string) => string | undefined;
}

type D = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

const STEP_KINDS: Record<Lang, Record<string, string>> = {
  zh: { page: "首次通知", repeat: "重复通知", escalate: "升级通知", reminder: "时限提醒", breach: "超时通知", resolved: "恢复通知" },
  en: { page: "first page", repeat: "repeat page", escalate: "escalation", reminder: "deadline reminder", breach: "breach notice", resolved: "resolution notice" },
};

export function actorName(actor: string, c: TimelineContext): string {
  const zh = c.lang === "zh";
  if (actor === "engine") return zh ? "系统" : "system";
  if (actor === "paging") return zh ? "通知系统" : "paging";
  if (actor === "auto") return zh ? "设备恢复" : "device recovery";
  if (actor.startsWith("agent:")) return `${zh ? "采集代理" : "agent"} ${actor.slice(6)}`;
  return c.personName(actor) ?? actor;
}

function classSource(source: string, lang: Lang): string {
  const rule = /^rule:(\d+)$/.exec(source);
  if (rule) return lang === "zh" ? `分类规则第 ${Number(rule[1]) + 1} 条` : `classification rule ${Number(rule[1]) + 1}`;
  const names: Record<string, [string, string]> = {
    hint: ["设备告警自带级别", "the device's own severity"],
    default: ["默认级别", "the default class"],
    manual: ["人工报障时指定", "set when reported by hand"],
    reclassified: ["重新定级", "reclassified"],
  };
  const n = names[source];
  return n ? (lang === "zh" ? n[0] : n[1]) : source;
}

/** One entry as a sentence. */
export function describe(e: TimelineEntry, c: TimelineContext): string {
  const d = (e.detail ?? {}) as D;
  const zh = c.lang === "zh";
  const cls = (v: unknown) => named(CLASS_NAMES, c.lang, str(v));
  const dl = (v: unknown) => named(DEADLINE_NAMES, c.lang, str(v));
  const time = (v: unknown) => (typeof v === "number" ? siteTime(v, c.tz) : "");
  const person = (v: unknown) => c.personName(str(v)) ?? str(v);
  const withText = (head: string, label: string, text: unknown) =>
    text ? `${head}${zh ? "，" : "; "}${label}${zh ? "：" : ": "}${str(text)}` : head;
  switch (e.action) {
    case "fault.open":
      return zh
        ? `故障开启：${whatFailed({ condition: str(d.condition), labels: (d.labels as Record<string, string>) ?? {} }, c.lang)}（首次发现 ${time(d.openedAt)}）`
        : `Fault opened: ${whatFailed({ condition: str(d.condition), labels: (d.labels as Record<string, string>) ?? {} }, c.lang)} (first seen ${time(d.openedAt)})`;
    case "fault.classify":
      return d.from
        ? zh
          ? `级别由 ${cls(d.from)} 改为 ${cls(d.to)}（${classSource(str(d.source), c.lang)}）`
          : `Class changed from ${cls(d.from)} to ${cls(d.to)} (${classSource(str(d.source), c.lang)})`
        : zh
          ? `定级为 ${cls(d.class)}（${classSource(str(d.source), c.lang)}）`
          : `Classified ${cls(d.class)} (${classSource(str(d.source), c.lang)})`;
    case "fault.reclassify":
      return withText(zh ? `重新定级：${cls(d.from)} → ${cls(d.to)}` : `Reclassified: ${cls(d.from)} → ${cls(d.to)}`, zh ? "原因" : "reason", d.reason);
    case "fault.ack":
      return withText(zh ? `确认响应，远程支持已开始（${time(d.ackAt)}）` : `Acknowledged, remote support started (${time(d.ackAt)})`, zh ? "备注" : "note", d.note);
    case "fault.resolve":
      return d.auto
        ? zh ? `设备恢复，自动解决（${time(d.resolvedAt)}）` : `Device recovered, resolved automatically (${time(d.resolvedAt)})`
        : zh ? `标记为已解决（${time(d.resolvedAt)}）` : `Resolved (${time(d.resolvedAt)})`;
    case "fault.reopen":
      return zh ? `故障再次出现，重新打开（第 ${str(d.reopenCount)} 次）` : `Recurred and reopened (time ${str(d.reopenCount)})`;
    case "fault.close":
      return zh ? "关闭" : "Closed";
    case "fault.comment":
      return withText(zh ? "备注" : "Comment", zh ? "内容" : "text", d.text);
    case "fault.fold":
      return zh ? "上级设备故障，本故障并入其中" : "Folded under the parent device's fault";
    case "fault.unfold":
      return zh ? "上级设备已恢复，本故障独立计时" : "Parent recovered; this fault now stands on its own";
    case "fault.breach":
      return zh ? `${dl(d.deadline)}时限已超（应于 ${time(d.due)} 前完成）` : `${dl(d.deadline)} deadline breached (was due ${time(d.due)})`;
    case "fault.breach.withdrawn":
      return zh ? `${dl(d.deadline)}超时记录撤销（迟到的事件改变了时间）` : `${dl(d.deadline)} breach withdrawn (a late event moved the times)`;
    case "fault.open.corrected":
      return zh ? `开始时间更正为 ${time(d.to)}` : `Opening time corrected to ${time(d.to)}`;
    case "fault.resolve.corrected":
      return zh ? `解决时间更正为 ${time(d.to)}` : `Resolution time corrected to ${time(d.to)}`;
    case "event.time_corrected": {
      // The device's clock was wrong: say what it reported, what was used and why (collector/event-time.ts).
      const reported = time(Date.parse(str(d.reportedAt)));
      const why: Record<string, [string, string]> = {
        clock_offset: [`采集代理时钟偏差 ${str(d.clockOffsetSeconds)} 秒，已按偏差校正`, `the agent's clock was off by ${str(d.clockOffsetSeconds)} s and was corrected`],
        future: ["时间晚于收到时间，按收到时间计", "it lay in the future, so the receive time was used"],
        too_old: ["时间早于最长允许延迟，按收到时间计", "it was older than any event may be, so the receive time was used"],
      };
      const reason = why[str(d.reason)] ?? [str(d.reason), str(d.reason)];
      return zh
        ? `事件时间更正：设备报告 ${reported}，采用 ${time(d.appliedAt)}（${reason[0]}）`
        : `Event time corrected: the device reported ${reported}, ${time(d.appliedAt)} was used (${reason[1]})`;
    }
    case "fault.exemption.request":
      return withText(withText(zh ? "申请豁免" : "Exemption requested", zh ? "原因" : "reason", d.reason), zh ? "证据" : "evidence", d.evidence);
    case "fault.exemption.approve":
      return withText(zh ? "甲方批准豁免" : "Exemption approved by the client", zh ? "说明" : "note", d.reason);
    case "fault.exemption.reject":
      return withText(zh ? "甲方驳回豁免" : "Exemption rejected by the client", zh ? "原因" : "reason", d.reason);
    case "fault.planned":
      return zh ? "处于已提前通知的维护窗口内，不计入考核" : "Inside an announced maintenance window: not counted in the KPI";
    case "fault.unplanned":
      return zh ? "不再属于维护窗口，计入考核" : "No longer inside a maintenance window: counted in the KPI";
    case "fault.window.late_notice":
      return zh ? "所在维护窗口通知不足 48 小时，仍计入考核" : "Its maintenance window had under 48 h notice: still counted in the KPI";
    case "fault.merge":
      return zh ? "与另一故障合并" : "Merged into another fault";
    case "fault.archive":
      return zh ? "归档" : "Archived";
    case "page.queue": {
      const to = Array.isArray(d.to) ? (d.to as Array<{ person: string }>).map((t) => person(t.person)).join(zh ? "、" : ", ") : "";
      const kind = STEP_KINDS[c.lang][str(d.kind)] ?? str(d.kind);
      return to ? (zh ? `${kind}：通知 ${to}` : `${kind}: paging ${to}`) : zh ? `${kind}：无人值班可通知` : `${kind}: nobody on call to page`;
    }
    case "page.sent":
      return zh ? `已通知 ${person(d.person)}（${str(d.channel)}）` : `Paged ${person(d.person)} (${str(d.channel)})`;
    case "page.failed":
      return zh ? `通知 ${person(d.person)} 失败` : `Paging ${person(d.person)} failed`;
    case "page.fallback":
      return zh ? `通知 ${person(d.person)} 改用下一个渠道` : `Paging ${person(d.person)}: trying the next channel`;
    case "page.unconfirmed":
      return zh
        ? `通知 ${person(d.person)} 时采集服务中断，未确认是否送达（不重发）`
        : `Paging ${person(d.person)}: the collector stopped before the channel answered; delivery unconfirmed (not re-sent)`;
    case "page.cancel":
      return zh ? `已有人确认，取消通知 ${person(d.person)}` : `Already acknowledged: page to ${person(d.person)} cancelled`;
    case "page.skip":
      return zh ? "通知已跳过" : "Page skipped";
    default:
      return `${zh ? "记录" : "Record"} · ${conditionName(e.action, c.lang)}`;
  }
}

export function Timeline(p: { entries: TimelineEntry[]; c: TimelineContext; title: string }) {
  return (
    <section id="timeline">
      <h2>{p.title}</h2>
      <ol class="timeline">
        {p.entries.map((e) => (
          <li>
            <time>{siteTime(e.at, p.c.tz)}</time>
            <span class="actor">{actorName(e.actor, p.c)}</span>
            <span class="event">{describe(e, p.c)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
