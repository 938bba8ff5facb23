/**
 * The web UI's words: Chinese first (the floor's language), English complete. Every key exists in both
 * (the `en` table is typed against `zh`), and a test reads every page in both for raw keys.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export type Lang = "zh" | "en";

const zh = {
  appName: "Watchfloor 运维值班",
  board: "值班看板",
  login: "登录",
  logout: "退出",
  userName: "用户名",
  password: "密码",
  orToken: "或使用 API 令牌",
  tokenLabel: "API 令牌",
  loginHint: "请输入用户名和密码；没有密码时可粘贴管理员发给您的 API 令牌。",
  wrongLogin: "用户名或密码不正确",
  wrongToken: "令牌无效",
  tooManyLogins: "登录尝试过多，请一分钟后再试",
  badRequest: "请求格式不正确",
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
  total: "合计",
  deduction: "扣款",
  class: "级别",
  device: "设备",
  zone: "区域",
  what: "故障部位",
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
  ackShort: "确认响应",
  resolve: "标记为已解决",
  readOnly: "您的角色只能查看。",
  acknowledgedBy: "确认人",
  resolvedBy: "解决人",
  left: "剩余",
  overdue: "已超时",
  metAt: "已达成",
  notFound: "未找到该页面",
  faultNotFound: "未找到该故障",
  forbidden: "无权执行此操作",
  csrf: "表单已过期，请刷新页面后重试",
  back: "返回看板",
  liveNote: "实时更新",
  offline: "连接中断，正在重连…",
  timesNote: "时间均为北京时间 (Asia/Shanghai)",
  language: "English",
  day: "天",
  hour: "小时",
  minute: "分",
  second: "秒",
  lessThanMinute: "不到 1 分",
  foldedChildren: "已合并的下级故障",
  runbook: "应急预案",
  noRunbook: "该类故障暂无应急预案",
  readings: "实时读数",
  comment: "备注",
  addComment: "添加备注",
  reclassify: "重新定级",
  reason: "原因",
  requestExemption: "申请豁免（不可抗力）",
  evidence: "证据材料",
  evidenceHint: "图片或 PDF，每个不超过 5 MB，最多 5 个",
  submit: "提交",
  exemption: "豁免",
  windows: "维护窗口",
  exemptions: "豁免审批",
  report: "考核报告",
  users: "用户",
  error: "出错了",
} as const;

const en: Record<keyof typeof zh, string> = {
  appName: "Watchfloor operations",
  board: "Floor board",
  login: "Log in",
  logout: "Log out",
  userName: "User name",
  password: "Password",
  orToken: "or use an API token",
  tokenLabel: "API token",
  loginHint: "Enter your user name and password; without a password, paste the API token your administrator gave you.",
  wrongLogin: "Wrong user name or password",
  wrongToken: "Unknown token",
  tooManyLogins: "Too many login attempts; try again in a minute",
  badRequest: "Malformed request",
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
  total: "total",
  deduction: "deduction",
  class: "Class",
  device: "Device",
  zone: "Zone",
  what: "What failed",
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
  ackShort: "Acknowledge",
  resolve: "Resolve",
  readOnly: "Your role may only read.",
  acknowledgedBy: "acknowledged by",
  resolvedBy: "resolved by",
  left: "left",
  overdue: "breached",
  metAt: "met",
  notFound: "No such page",
  faultNotFound: "No such fault",
  forbidden: "You may not do this",
  csrf: "The form expired; reload the page and try again",
  back: "Back to the board",
  liveNote: "live",
  offline: "Connection lost, reconnecting…",
  timesNote: "times in Asia/Shanghai (UTC+8)",
  language: "中文",
  day: "d",
  hour: "h",
  minute: "min",
  second: "s",
  lessThanMinute: "< 1 min",
  foldedChildren: "Folded under this fault",
  runbook: "Runbook",
  noRunbook: "No runbook for this kind of fault yet",
  readings: "Live readings",
  comment: "Comment",
  addComment: "Add comment",
  reclassify: "Reclassify",
  reason: "Reason",
  requestExemption: "Request an exemption (force majeure)",
  evidence: "Evidence",
  evidenceHint: "images or PDF, at most 5 MB each, up to 5 files",
  submit: "Submit",
  exemption: "Exemption",
  windows: "Maintenance windows",
  exemptions: "Exemption approvals",
  report: "KPI report",
  users: "Users",
  error: "Something went wrong",
};

export type Words = Record<keyof typeof zh, string>;
export const WORDS: Record<Lang, Words> = { zh, en };

type Names = Record<Lang, Record<string, string>>;

export const CLASS_NAMES: Names = {
  zh: { major: "重大", severe: "严重", general: "一般" },
  en: { major: "major", severe: "severe", general: "general" },
};

export const STATUS_NAMES: Names = {
  zh: { open: "未处理", acknowledged: "已确认", resolved: "已解决", closed: "已关闭", folded: "已合并" },
  en: { open: "open", acknowledged: "acknowledged", resolved: "resolved", closed: "closed", folded: "folded" },
};

export const DEADLINE_NAMES: Names = {
  zh: { respond: "响应", resolve: "处理" },
  en: { respond: "respond", resolve: "resolve" },
};

export const ROLE_NAMES: Names = {
  zh: {
    engineer: "工程师",
    facility_manager: "设施主管",
    client_auditor: "甲方审计",
    admin: "管理员",
    oncall: "值班工程师",
    lead: "值班组长",
    manager: "值班经理",
  },
  en: {
    engineer: "engineer",
    facility_manager: "facility manager",
    client_auditor: "client auditor",
    admin: "administrator",
    oncall: "on-call engineer",
    lead: "shift lead",
    manager: "duty manager",
  },
};

/** Name in the language, or the key itself when nobody translated it (rosters may name their own roles). */
export function named(names: Names, lang: Lang, key: string): string {
  return names[lang][key] ?? key;
}

/** `?lang=en|zh` switches and is remembered in a cookie; otherwise the cookie, otherwise Chinese. */
export function languageOf(req: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (req.query as Record<string, unknown> | undefined)?.["lang"];
  if (asked === "en" || asked === "zh") {
    reply.setCookie("wf_lang", asked, {
      path: "/",
      maxAge: 365 * 86400,
      sameSite: "lax",
      secure: req.protocol === "https",
    });
    return asked;
  }
  return req.cookies["wf_lang"] === "en" ? "en" : "zh";
}
