/** The web UI's words: Chinese first (the floor's language), English on request. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { readCookie, setCookie } from "./session.ts";

export type Lang = "zh" | "en";

const zh = {
  appName: "Watchfloor 运维值班",
  board: "值班看板",
  login: "登录",
  logout: "退出",
  tokenLabel: "API 令牌（由 watchfloor user add 生成）",
  loginHint: "粘贴您的 API 令牌登录。",
  wrongToken: "令牌无效",
  onCall: "当前值班",
  dutyDay: "值班日",
  noRoster: "未配置值班表",
  nobody: "无人值班",
  override: "临时调班",
  openFaults: "未结故障",
  noOpenFaults: "当前没有未结故障",
  kpi: "本季度故障处理及时率",
  timeliness: "及时率",
  target: "目标",
  met: "达标",
  breached: "超时",
  pending: "进行中",
  exempted: "已豁免",
  planned: "计划内",
  deduction: "扣款",
  class: "级别",
  device: "设备",
  title: "标题",
  status: "状态",
  openedAt: "开始时间",
  deadlines: "时限",
  timeline: "处理记录",
  at: "时间",
  actor: "操作人",
  action: "操作",
  detail: "详情",
  note: "备注（可选）",
  ack: "确认（响应 / 远程支持已开始）",
  resolve: "标记为已解决",
  readOnly: "您的角色只能查看。",
  acknowledgedBy: "确认人",
  resolvedBy: "解决人",
  left: "剩余",
  overdue: "已超时",
  metAt: "已达成",
  notFound: "未找到该故障",
  forbidden: "无权执行此操作",
  csrf: "表单已过期，请刷新页面后重试",
  back: "返回看板",
  refreshNote: "每 30 秒自动刷新",
  timesNote: "时间均为北京时间 (Asia/Shanghai)",
  language: "English",
  day: "天",
  hour: "小时",
  minute: "分",
  lessThanMinute: "不到 1 分",
} as const;

const en: Record<keyof typeof zh, string> = {
  appName: "Watchfloor operations",
  board: "Floor board",
  login: "Log in",
  logout: "Log out",
  tokenLabel: "API token (from watchfloor user add)",
  loginHint: "Paste your API token to log in.",
  wrongToken: "Unknown token",
  onCall: "On call now",
  dutyDay: "duty day",
  noRoster: "no roster configured",
  nobody: "nobody",
  override: "override",
  openFaults: "Open faults",
  noOpenFaults: "No open faults",
  kpi: "Fault-handling timeliness, this quarter",
  timeliness: "timeliness",
  target: "target",
  met: "met",
  breached: "breached",
  pending: "pending",
  exempted: "exempted",
  planned: "planned",
  deduction: "deduction",
  class: "Class",
  device: "Device",
  title: "Title",
  status: "Status",
  openedAt: "Opened at",
  deadlines: "Deadlines",
  timeline: "Timeline",
  at: "At",
  actor: "By",
  action: "Action",
  detail: "Detail",
  note: "Note (optional)",
  ack: "Acknowledge (remote support started)",
  resolve: "Resolve",
  readOnly: "Your role may only read.",
  acknowledgedBy: "acknowledged by",
  resolvedBy: "resolved by",
  left: "left",
  overdue: "breached",
  metAt: "met",
  notFound: "No such fault",
  forbidden: "You may not do this",
  csrf: "The form expired; reload the page and try again",
  back: "Back to the board",
  refreshNote: "refreshes every 30 s",
  timesNote: "times in Asia/Shanghai (UTC+8)",
  language: "中文",
  day: "d",
  hour: "h",
  minute: "min",
  lessThanMinute: "< 1 min",
};

export type Words = Record<keyof typeof zh, string>;
export const WORDS: Record<Lang, Words> = { zh, en };

export const CLASS_NAMES: Record<Lang, Record<string, string>> = {
  zh: { major: "重大", severe: "严重", general: "一般" },
  en: { major: "major", severe: "severe", general: "general" },
};

export const STATUS_NAMES: Record<Lang, Record<string, string>> = {
  zh: { open: "未处理", acknowledged: "已确认", resolved: "已解决", closed: "已关闭", folded: "已合并" },
  en: {
    open: "open",
    acknowledged: "acknowledged",
    resolved: "resolved",
    closed: "closed",
    folded: "folded",
  },
};

export const DEADLINE_NAMES: Record<Lang, Record<string, string>> = {
  zh: { respond: "响应", resolve: "处理" },
  en: { respond: "respond", resolve: "resolve" },
};

/** Audit actions people read often; others show as recorded. */
export const ACTION_NAMES: Record<Lang, Record<string, string>> = {
  zh: {
    "fault.open": "故障开启",
    "fault.classify": "定级",
    "fault.reclassify": "重新定级",
    "fault.ack": "确认（响应）",
    "fault.resolve": "解决",
    "fault.close": "关闭",
    "fault.reopen": "重新打开",
    "fault.comment": "备注",
    "fault.breach": "超时",
    "fault.fold": "并入上级故障",
    "fault.unfold": "独立成故障",
    "fault.exemption.request": "申请豁免",
    "fault.archive": "归档",
    "page.queue": "通知排队",
    "page.sent": "通知已发送",
    "page.failed": "通知失败",
  },
  en: {
    "fault.open": "opened",
    "fault.classify": "classified",
    "fault.reclassify": "reclassified",
    "fault.ack": "acknowledged (response)",
    "fault.resolve": "resolved",
    "fault.close": "closed",
    "fault.reopen": "reopened",
    "fault.comment": "comment",
    "fault.breach": "deadline breached",
    "fault.archive": "archived",
    "page.queue": "page queued",
    "page.sent": "page sent",
    "page.failed": "page failed",
  },
};

/** `?lang=en|zh` switches and is remembered in a cookie; otherwise the cookie, otherwise Chinese. */
export function languageOf(req: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (req.query as Record<string, unknown> | undefined)?.["lang"];
  if (asked === "en" || asked === "zh") {
    setCookie(reply, "wf_lang", asked, {
      maxAgeSeconds: 365 * 86400,
      httpOnly: false,
      secure: req.protocol === "https",
    });
    return asked;
  }
  return readCookie(req, "wf_lang") === "en" ? "en" : "zh";
}
