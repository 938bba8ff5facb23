/**
 * Maintenance windows (/ui/windows): the list with the 48 h notice flag, and the form facility managers
 * (and admins) announce one with. Exemptions (/ui/exemptions): the client auditor's queue of requests,
 * each approved or rejected with a reason, and the decided ones below. Both act through the same fault
 * service commands as the API, with the role checked here, server-side.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Fault, type MaintenanceWindow, zonedTimeToInstant } from "../../domain/index.ts";
import { deviceOf, faultTitle } from "./conditions.ts";
import { type EvidenceFile, EvidenceStore } from "../../store/evidence.ts";
import { evidenceLinks } from "./evidence.tsx";
import { ClassBadge, CsrfField, duration, Message, Time } from "./format.tsx";
import { Layout } from "./layout.tsx";
import { AUDITORS, field, MANAGERS, mayUse, onSession, sendHtml, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";

const TEXT_MAX = 2000;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A datetime-local field ("2026-11-26T09:00") read as the site's wall time. */
function siteInstant(text: string, timeZone: string): number | undefined {
  const m = LOCAL_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return zonedTimeToInstant({ year, month, day, hour, minute, second: 0 }, timeZone);
}

function WindowRows(p: { windows: MaintenanceWindow[]; v: Viewer; deps: UiDeps }) {
  const { v, deps } = p;
  const tz = deps.policy.timezone;
  const zh = v.lang === "zh";
  if (p.windows.length === 0) return <p class="muted">{zh ? "尚无维护窗口" : "No maintenance windows yet"}</p>;
  return (
    <div class="cards">
      {p.windows.map((w) => (
        <article class={`card window${w.noticeViolation ? " card-major" : ""}`} id={`window-${w.id}`}>
          <p class="what">{w.reason}</p>
          <p>
            <Time at={w.start} tz={tz} />
            {" → "}
            <Time at={w.end} tz={tz} />
          </p>
          <p class="where">
            {[...w.devices.map((d) => deviceOf(deps.inventory, d).name), ...w.zones.map((z) => zoneName(deps, z))].join(zh ? "、" : ", ")}
          </p>
          <p class={w.noticeViolation ? "notice-violation" : "ok"}>
            {`${zh ? "提前通知" : "notice"} ${duration(w.noticeSeconds, v.w)} · `}
            {w.noticeViolation
              ? zh
                ? "不足 48 小时，窗口内故障仍计入考核"
                : "under 48 h: faults in it still count in the KPI"
              : zh
                ? "符合 48 小时提前通知"
                : "48 h notice given"}
          </p>
          <p class="muted">
            {`${zh ? "登记" : "announced by"} ${w.by} · `}
            <Time at={w.announced} tz={tz} />
          </p>
        </article>
      ))}
    </div>
  );
}

function zoneName(deps: UiDeps, zone: string): string {
  return Object.values(deps.inventory.devices).find((d) => d.zone === zone)?.zoneName ?? zone;
}

function WindowForm(p: { v: Viewer; deps: UiDeps; values?: Record<string, string> }) {
  const { v, deps } = p;
  const zh = v.lang === "zh";
  const zones = [...new Set(Object.values(deps.inventory.devices).flatMap((d) => (d.zone ? [d.zone] : [])))].sort();
  const devices = Object.values(deps.inventory.devices).sort((a, b) => (a.id < b.id ? -1 : 1));
  return (
    <section>
      <h2>{zh ? "登记维护窗口" : "Announce a maintenance window"}</h2>
      <p class="muted">
        {zh
          ? "影响甲方的维护须至少提前 48 小时通知；不足 48 小时的窗口会被标记，窗口内的故障仍计入考核。时间为北京时间。"
          : "Work that affects the client needs 48 h notice; a window with less is flagged and faults in it still count. Times are Asia/Shanghai."}
      </p>
      <form method="post" action="/ui/windows" class="stack" id="window-form">
        <CsrfField token={v.csrf} />
        <label>
          {zh ? "设备" : "Devices"}
          <select name="devices" multiple size="4">
            {devices.map((d) => (
              <option value={d.id}>{d.name ?? d.id}</option>
            ))}
          </select>
        </label>
        <label>
          {zh ? "区域" : "Zones"}
          <select name="zones" multiple size="3">
            {zones.map((z) => (
              <option value={z}>{zoneName(deps, z)}</option>
            ))}
          </select>
        </label>
        <label>
          {zh ? "开始" : "Start"}
          <input type="datetime-local" name="start" required value={p.values?.start} />
        </label>
        <label>
          {zh ? "结束" : "End"}
          <input type="datetime-local" name="end" required value={p.values?.end} />
        </label>
        <label>
          {v.w.reason}
          <input type="text" name="reason" maxlength={TEXT_MAX} required value={p.values?.reason} />
        </label>
        <button type="submit" id="create-window" class="primary">
          {zh ? "登记" : "Announce"}
        </button>
      </form>
    </section>
  );
}

function windowsPage(req: FastifyRequest, reply: FastifyReply, deps: UiDeps, status = 200, error?: string) {
  const v = viewerOf(req);
  const windows = deps.faults.windows().sort((a, b) => b.start - a.start || (a.id < b.id ? -1 : 1));
  return sendHtml(
    reply,
    status,
    <Layout title={v.w.windows} path="/ui/windows" lang={v.lang} viewer={v}>
      {error ? <Message kind="error" text={error} /> : null}
      {mayUse(v.role, MANAGERS) ? <WindowForm v={v} deps={deps} values={status === 200 ? undefined : (req.body as Record<string, string>)} /> : null}
      <section id="windows">
        <h2>{v.w.windows}</h2>
        <WindowRows windows={windows} v={v} deps={deps} />
      </section>
    </Layout>,
  );
}

/** Form fields that may repeat (a multiple select) as a list. */
function list(body: unknown, name: string): string[] {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string" && x !== "");
}

function ExemptionCard(p: { f: Fault; v: Viewer; deps: UiDeps; decide: boolean; files: readonly EvidenceFile[] }) {
  const { f, v, deps } = p;
  const ex = f.exemption!;
  const tz = deps.policy.timezone;
  const zh = v.lang === "zh";
  const base = `/ui/exemptions/${encodeURIComponent(f.id)}`;
  return (
    <article class={`card card-${f.class}`} id={`exemption-${f.id}`}>
      <div class="card-head">
        <ClassBadge cls={f.class} lang={v.lang} />
        <Time at={f.openedAt} tz={tz} />
      </div>
      <h3>
        <a href={`/ui/faults/${encodeURIComponent(f.id)}`}>{faultTitle(f, deps.inventory, v.lang)}</a>
      </h3>
      <p class="where">{deviceOf(deps.inventory, f.device).name}</p>
      <dl class="pairs">
        <dt>{v.w.reason}</dt>
        <dd class="reason">{ex.reason}</dd>
        <dt>{v.w.evidence}</dt>
        <dd>{evidenceLinks(ex, p.files)}</dd>
        <dt>{zh ? "申请人" : "asked by"}</dt>
        <dd>
          {`${ex.requestedBy} · `}
          <Time at={ex.requestedAt} tz={tz} />
        </dd>
        {ex.decidedBy && ex.decidedAt !== undefined
          ? [
              <dt>{zh ? "审批" : "decision"}</dt>,
              <dd class={`decision decision-${ex.status}`}>
                {`${ex.status === "approved" ? (zh ? "已批准" : "approved") : zh ? "已驳回" : "rejected"} · ${ex.decidedBy} · `}
                <Time at={ex.decidedAt} tz={tz} />
                {ex.decisionReason ? ` · ${ex.decisionReason}` : ""}
              </dd>,
            ]
          : null}
      </dl>
      {p.decide ? (
        <form method="post" action={`${base}/decide`} class="stack decide">
          <CsrfField token={v.csrf} />
          <label>
            {zh ? "审批意见（驳回时必填）" : "Note (required to reject)"}
            <input type="text" name="reason" maxlength={TEXT_MAX} />
          </label>
          <div class="buttons">
            <button type="submit" name="decision" value="approve" class="approve">
              {zh ? "批准豁免" : "Approve"}
            </button>
            <button type="submit" name="decision" value="reject" class="reject">
              {zh ? "驳回" : "Reject"}
            </button>
          </div>
        </form>
      ) : null}
    </article>
  );
}

async function exemptionsPage(req: FastifyRequest, reply: FastifyReply, deps: UiDeps, status = 200, error?: string) {
  const v = viewerOf(req);
  const zh = v.lang === "zh";
  const withExemption = await deps.faults.faultsWithExemption();
  const waiting = withExemption.filter((f) => f.exemption!.status === "requested").sort((a, b) => a.exemption!.requestedAt - b.exemption!.requestedAt);
  const decided = withExemption
    .filter((f) => f.exemption!.status !== "requested")
    .sort((a, b) => (b.exemption!.decidedAt ?? 0) - (a.exemption!.decidedAt ?? 0))
    .slice(0, 50);
  const decide = mayUse(v.role, AUDITORS);
  const files = await new EvidenceStore(deps.store.db).listFor([...waiting, ...decided].map((f) => f.id));
  return sendHtml(
    reply,
    status,
    <Layout title={v.w.exemptions} path="/ui/exemptions" lang={v.lang} viewer={v}>
      {error ? <Message kind="error" text={error} /> : null}
      <section id="waiting">
        <h2>{`${zh ? "待审批" : "Awaiting decision"} (${waiting.length})`}</h2>
        {waiting.length === 0 ? <p class="muted">{zh ? "没有待审批的豁免申请" : "Nothing to decide"}</p> : null}
        <div class="cards">
          {waiting.map((f) => (
            <ExemptionCard f={f} v={v} deps={deps} decide={decide} files={files.get(f.id) ?? []} />
          ))}
        </div>
      </section>
      <section id="decided">
        <h2>{zh ? "已审批" : "Decided"}</h2>
        <div class="cards">
          {decided.map((f) => (
            <ExemptionCard f={f} v={v} deps={deps} decide={false} files={files.get(f.id) ?? []} />
          ))}
        </div>
      </section>
    </Layout>,
  );
}

export async function windowPages(scope: UiScope, deps: UiDeps): Promise<void> {
  scope.get("/ui/windows", onSession(), async (req, reply) => windowsPage(req, reply, deps));

  scope.post("/ui/windows", onSession(MANAGERS), async (req, reply) => {
    const v = viewerOf(req);
    const tz = deps.policy.timezone;
    const start = siteInstant(field(req.body, "start"), tz);
    const end = siteInstant(field(req.body, "end"), tz);
    const reason = field(req.body, "reason");
    const devices = list(req.body, "devices");
    const zones = list(req.body, "zones");
    const zh = v.lang === "zh";
    const problem =
      start === undefined || end === undefined
        ? zh ? "请填写开始和结束时间" : "start and end are required"
        : end <= start
          ? zh ? "结束时间须晚于开始时间" : "end must be after start"
          : devices.length + zones.length === 0
            ? zh ? "请至少选择一台设备或一个区域" : "name at least one device or zone"
            : !reason || reason.length > TEXT_MAX
              ? zh ? "请填写原因（不超过 2000 字）" : "a reason (at most 2000 characters) is required"
              : undefined;
    if (problem) return windowsPage(req, reply, deps, 400, problem);
    const now = deps.clock.now();
    const res = await deps.faults.dispatch({
      type: "window",
      at: now,
      windowId: `W-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      devices,
      zones,
      start: start!,
      end: end!,
      announced: now,
      reason,
      by: v.name,
    });
    if (!res.ok) return windowsPage(req, reply, deps, 409, res.error.message);
    return reply.redirect("/ui/windows", 303);
  });

  scope.get("/ui/exemptions", onSession(["client_auditor", "facility_manager"]), async (req, reply) =>
    exemptionsPage(req, reply, deps),
  );

  scope.post<{ Params: { id: string } }>("/ui/exemptions/:id/decide", onSession(AUDITORS), async (req, reply) => {
    const v = viewerOf(req);
    const decision = field(req.body, "decision");
    const reason = field(req.body, "reason");
    if (decision !== "approve" && decision !== "reject") return exemptionsPage(req, reply, deps, 400, v.w.badRequest);
    if (reason.length > TEXT_MAX) return exemptionsPage(req, reply, deps, 400, v.w.badRequest);
    if (decision === "reject" && !reason)
      return exemptionsPage(req, reply, deps, 400, v.lang === "zh" ? "驳回须填写原因" : "a rejection needs a reason");
    const res = await deps.faults.dispatch({
      type: decision,
      fault: req.params.id,
      at: deps.clock.now(),
      by: v.name,
      ...(reason ? { reason } : {}),
    });
    if (!res.ok) return exemptionsPage(req, reply, deps, res.error.code.endsWith("NOT_FOUND") ? 404 : 409, res.error.message);
    return reply.redirect("/ui/exemptions", 303);
  });
}
