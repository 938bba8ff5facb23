/**
 * What a page says: class (重大/严重/一般), device, zone, what fired, time left to each deadline,
 * the emergency plan (应急预案) for the condition, and the one-tap acknowledge link. Times are the
 * site zone's wall clock (Asia/Shanghai). Pure: every channel formats this one rendering.
 */
import { evaluate, type Fault, type Inventory, type Policy, wallTime } from "../domain/index.ts";
import type { NotificationsConfig } from "./config.ts";
import type { PlannedStep } from "./planner.ts";

export const CLASS_ZH = { major: "重大", severe: "严重", general: "一般" } as const;
const DEADLINE_ZH = { respond: "响应", resolve: "处理" } as const;

export interface PageMessage {
  /** A fault's escalation step, or a notice about something else (an overdue inspection round). */
  kind: PlannedStep["kind"] | "inspection_overdue";
  title: string;
  /** Plain text for SMS, robots and mail. */
  text: string;
  ackUrl?: string;
  /**
   * Where the text's parts end (string offsets): the title, then each fault's block; after the last
   * comes the emergency plans and the acknowledge link. Absent for notices that list no faults.
   */
  layout?: { head: number; faults: number[] };
  faults: Array<{
    id: string;
    class: Fault["class"];
    device: string;
    condition: string;
    title: string;
    openedAt: number;
  }>;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function wallClock(t: number, tz: string): string {
  const w = wallTime(t, tz);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** "1小时5分" / "12分" / "40秒". */
export function spanZh(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}秒`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}小时${m > 0 ? `${m}分` : ""}` : `${m}分`;
}

function headline(step: PlannedStep): string {
  switch (step.kind) {
    case "page":
      return "新故障";
    case "repeat":
      return `未确认·第${(step.repetition ?? 0) + 1}次通知`;
    case "escalate":
      return "升级通知";
    case "reminder":
      return `时限提醒·${DEADLINE_ZH[step.deadline ?? "resolve"]}时限已过${Math.round((step.fraction ?? 0) * 100)}%`;
    case "breach":
      return `已超时·${DEADLINE_ZH[step.deadline ?? "resolve"]}时限`;
    case "resolved":
      return "已恢复";
  }
}

function runbookFor(condition: string, cfg: NotificationsConfig) {
  return cfg.runbooks.find((r) => {
    if (!r.condition.includes("*")) return r.condition === condition;
    const re = new RegExp(
      `^${r.condition
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return re.test(condition);
  });
}

/** One page about one fault, or about several (grouped: same condition and step), each listed. */
export function renderPage(input: {
  step: PlannedStep;
  faults: Fault[];
  /** Folded children per fault id: they ride in their parent's page. */
  children: Record<string, Fault[]>;
  cfg: NotificationsConfig;
  sla: Policy;
  inventory: Inventory;
  now: number;
  ackUrl?: string;
}): PageMessage {
  const { step, faults, sla, now } = input;
  const tz = sla.timezone;
  const first = faults[0]!;
  const cls = CLASS_ZH[first.class];
  const subject =
    faults.length === 1 ? `${first.title} (${first.device})` : `${first.condition} ×${faults.length}`;
  const title = `[${cls}] ${headline(step)} · ${subject}`;
  const blocks: string[] = [];
  for (const f of faults) {
    const zone = Object.hasOwn(input.inventory.devices, f.device) ? input.inventory.devices[f.device]?.zone : undefined;
    const lines = [`故障 ${f.id} · ${CLASS_ZH[f.class]}故障 · ${f.title}`];
    lines.push(`设备: ${f.device}${zone ? ` · 区域: ${zone}` : ""}`);
    const labels = Object.entries(f.labels).map(([k, v]) => `${k}=${v}`);
    lines.push(`触发: ${f.condition}${labels.length > 0 ? ` {${labels.join(", ")}}` : ""}`);
    lines.push(`发生: ${wallClock(f.openedAt, tz)}`);
    if (step.kind === "resolved" && f.resolvedAt !== undefined)
      lines.push(`恢复: ${wallClock(f.resolvedAt, tz)}`);
    for (const d of evaluate(f, now, sla).deadlines) {
      const zh = DEADLINE_ZH[d.kind];
      if (d.status === "met") lines.push(`${zh}时限: 已达成`);
      else if (d.status === "pending")
        lines.push(`${zh}时限: 剩余${spanZh(d.secondsLeft ?? 0)} (${wallClock(d.due, tz)} 前)`);
      else lines.push(`${zh}时限: 已超时${spanZh(d.missedBySeconds ?? 0)} (应于 ${wallClock(d.due, tz)} 前)`);
    }
    const kids = input.children[f.id] ?? [];
    if (kids.length > 0)
      lines.push(`关联故障 ${kids.length} 个: ${kids.map((k) => `${k.device} ${k.condition}`).join("; ")}`);
    blocks.push(`\n\n${lines.join("\n")}`);
  }
  const plans = [
    ...new Set(faults.map((f) => runbookFor(f.condition, input.cfg)).filter((r) => r !== undefined)),
  ];
  const tailLines = plans.map((r) => `应急预案: ${r.title}${r.url ? ` ${r.url}` : ""}`);
  if (input.ackUrl) tailLines.push(`确认(开始远程支持): ${input.ackUrl}`);
  const tail = tailLines.length > 0 ? `\n\n${tailLines.join("\n")}` : "";
  // Where each part ends, so a channel with a byte limit lists the faults that fit and keeps the link.
  const faultEnds: number[] = [];
  let end = title.length;
  for (const b of blocks) {
    end += b.length;
    faultEnds.push(end);
  }
  return {
    kind: step.kind,
    title,
    text: `${title}${blocks.join("")}${tail}`,
    ...(input.ackUrl ? { ackUrl: input.ackUrl } : {}),
    layout: { head: title.length, faults: faultEnds },
    faults: faults.map((f) => ({
      id: f.id,
      class: f.class,
      device: f.device,
      condition: f.condition,
      title: f.title,
      openedAt: f.openedAt,
    })),
  };
}
