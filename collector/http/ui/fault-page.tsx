/**
 * One fault: what failed and where, its deadlines, the device's live readings (readings.tsx), the
 * runbook for its condition, the actions the
 * viewer's role allows (acknowledge with a large button, resolve, comment, reclassify, ask for an
 * exemption), and the translated timeline. Actions go through the same FaultService commands as the API.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Command, Fault } from "../../domain/index.ts";
import { deviceOf, faultTitle, whatFailed } from "./conditions.ts";
import { EvidenceStore } from "../../store/evidence.ts";
import { evidenceForm, evidenceList } from "./evidence.tsx";
import { ClassBadge, CsrfField, Deadlines, Message, StatusBadge, Time } from "./format.tsx";
import { CLASS_NAMES, named } from "./i18n.ts";
import { raw } from "./jsx/jsx-runtime.ts";
import { Layout } from "./layout.tsx";
import { FAULT_ACTORS, field, MANAGERS, mayUse, onSession, sendHtml, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";
import { ReadingsSection } from "./readings.tsx";
import { DEFAULT_RUNBOOK_DIR, runbookFor } from "./runbook.ts";
import { Timeline } from "./timeline.tsx";

const TEXT_MAX = 2000;

/** "确认人 li.gong · 2026-11-25 09:12:00", when it happened. */
function Who(p: { label: string; cls: string; by?: string; at?: number; tz: string }) {
  if (p.by === undefined || p.at === undefined) return raw("");
  return (
    <>
      <dt>{p.label}</dt>
      <dd class={p.cls}>
        {`${p.by} · `}
        <Time at={p.at} tz={p.tz} />
      </dd>
    </>
  );
}

function Facts(p: { f: Fault; v: Viewer; deps: UiDeps; now: number }) {
  const { f, v } = p;
  const tz = p.deps.policy.timezone;
  const dev = deviceOf(p.deps.inventory, f.device);
  // People paged by the roster act under their roster id; show their name.
  const person = (id: string | undefined) => (id === undefined ? undefined : (p.deps.paging?.personName(id) ?? id));
  return (
    <section class="facts-card">
      <div class="card-head">
        <ClassBadge cls={f.class} lang={v.lang} />
        <span id="status">
          <StatusBadge status={f.status} lang={v.lang} />
        </span>
      </div>
      <dl class="pairs">
        <dt>{v.w.what}</dt>
        <dd class="what">{whatFailed(f, v.lang)}</dd>
        <dt>{v.w.device}</dt>
        <dd>{dev.name}</dd>
        {dev.zone ? [<dt>{v.w.zone}</dt>, <dd>{dev.zone}</dd>] : null}
        <dt>{v.w.openedAt}</dt>
        <dd>
          <Time at={f.openedAt} tz={tz} />
        </dd>
        <Who label={v.w.acknowledgedBy} cls="acked-by" by={person(f.acknowledgedBy)} at={f.acknowledgedAt} tz={tz} />
        <Who label={v.w.resolvedBy} cls="resolved-by" by={person(f.resolvedBy)} at={f.resolvedAt} tz={tz} />
        <dt>{v.w.deadlines}</dt>
        <dd>
          <Deadlines fault={f} now={p.now} policy={p.deps.policy} lang={v.lang} w={v.w} />
        </dd>
      </dl>
    </section>
  );
}

function NoteField(p: { w: Viewer["w"] }) {
  return (
    <label>
      {p.w.note}
      <input type="text" name="note" maxlength={TEXT_MAX} />
    </label>
  );
}

/**
 * What the engineer does next, right under the facts: acknowledge an open fault (a large button), or
 * resolve an acknowledged one. The runbook follows it; the rarer forms come after the runbook.
 */
function NextStep(p: { f: Fault; v: Viewer }) {
  const { f, v } = p;
  const base = `/ui/faults/${encodeURIComponent(f.id)}`;
  if (!mayUse(v.role, FAULT_ACTORS)) return raw("");
  if (f.status === "open")
    return (
      <section class="actions next-step">
        <form method="post" action={`${base}/ack`} class="ack-form">
          <CsrfField token={v.csrf} />
          <NoteField w={v.w} />
          <button type="submit" id="ack" class="primary big-button">
            {v.w.ack}
          </button>
        </form>
      </section>
    );
  if (f.status === "acknowledged")
    return (
      <section class="actions next-step">
        <ResolveForm f={f} v={v} />
      </section>
    );
  return raw("");
}

function ResolveForm(p: { f: Fault; v: Viewer }) {
  return (
    <form method="post" action={`/ui/faults/${encodeURIComponent(p.f.id)}/resolve`}>
      <CsrfField token={p.v.csrf} />
      <NoteField w={p.v.w} />
      <button type="submit" id="resolve">
        {p.v.w.resolve}
      </button>
    </form>
  );
}

function Actions(p: { f: Fault; v: Viewer }) {
  const { f, v } = p;
  const base = `/ui/faults/${encodeURIComponent(f.id)}`;
  if (!mayUse(v.role, FAULT_ACTORS)) return <p class="muted">{v.w.readOnly}</p>;
  return (
    <section class="actions">
      {/* An open fault may be resolved without an acknowledgement; an acknowledged one has it above. */}
      {f.status === "open" ? <ResolveForm f={f} v={v} /> : null}
      <form method="post" action={`${base}/comment`}>
        <CsrfField token={v.csrf} />
        <label>
          {v.w.comment}
          <textarea name="text" maxlength={TEXT_MAX} required rows="2"></textarea>
        </label>
        <button type="submit" id="comment">
          {v.w.addComment}
        </button>
      </form>
      {mayUse(v.role, MANAGERS) ? (
        <form method="post" action={`${base}/reclassify`}>
          <CsrfField token={v.csrf} />
          <label>
            {v.w.class}
            <select name="class">
              {(["major", "severe", "general"] as const).map((c) => (
                <option value={c} selected={c === f.class}>
                  {named(CLASS_NAMES, v.lang, c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {v.w.reason}
            <input type="text" name="reason" maxlength={TEXT_MAX} required />
          </label>
          <button type="submit" id="reclassify">
            {v.w.reclassify}
          </button>
        </form>
      ) : null}
      {f.exemption?.status === "approved" || f.exemption?.status === "requested" ? null : evidenceForm(f, v)}
    </section>
  );
}

function Runbook(p: { f: Fault; v: Viewer; deps: UiDeps }) {
  const book = runbookFor(p.deps.runbookDir ?? DEFAULT_RUNBOOK_DIR, {
    condition: p.f.condition,
    deviceClass: p.deps.inventory.devices[p.f.device]?.class,
    faultClass: p.f.class,
  });
  return (
    <section id="runbook">
      <details open={p.f.status === "open" || p.f.status === "acknowledged"}>
        <summary>
          <h2>{p.v.w.runbook}</h2>
        </summary>
        {book ? <div class="markdown">{raw(book.html)}</div> : <p class="muted">{p.v.w.noRunbook}</p>}
      </details>
    </section>
  );
}

export async function renderFaultPage(req: FastifyRequest, reply: FastifyReply, deps: UiDeps, id: string, status = 200, error?: string) {
  const v = viewerOf(req);
  const f = await deps.faults.fault(id);
  const path = `/ui/faults/${encodeURIComponent(id)}`;
  if (!f)
    return sendHtml(
      reply,
      404,
      <Layout title={v.w.faultNotFound} path={path} lang={v.lang} viewer={v}>
        <p>
          <a href="/ui">{v.w.back}</a>
        </p>
      </Layout>,
    );
  const now = deps.clock.now();
  const personName = (pid: string) => deps.paging?.personName(pid);
  return sendHtml(
    reply,
    status,
    <Layout title={faultTitle(f, deps.inventory, v.lang)} path={path} lang={v.lang} viewer={v} now={now}>
      {error ? <Message kind="error" text={error} /> : null}
      <Facts f={f} v={v} deps={deps} now={now} />
      <ReadingsSection f={f} v={v} />
      <NextStep f={f} v={v} />
      <Runbook f={f} v={v} deps={deps} />
      <Actions f={f} v={v} />
      {evidenceList(f, v, deps, await new EvidenceStore(deps.store.db).list(f.id))}
      <Timeline
        entries={await deps.store.audit({ faultId: f.id })}
        c={{ lang: v.lang, tz: deps.policy.timezone, personName }}
        title={v.w.timeline}
      />
    </Layout>,
  );
}

type Params = { Params: { id: string } };

/** Form posts that become one fault command; a refused command shows the page again with the reason. */
const FORMS: Array<{
  path: string;
  roles: typeof FAULT_ACTORS;
  command: (body: unknown, base: { fault: string; at: number; by: string }) => Command | string;
}> = [
  {
    path: "ack",
    roles: FAULT_ACTORS,
    command: (b, base) => ({ type: "ack", ...base, note: field(b, "note") || undefined }),
  },
  {
    path: "resolve",
    roles: FAULT_ACTORS,
    command: (b, base) => ({ type: "resolve", ...base, note: field(b, "note") || undefined }),
  },
  {
    path: "comment",
    roles: FAULT_ACTORS,
    command: (b, base) => (field(b, "text") ? { type: "comment", ...base, text: field(b, "text") } : "text"),
  },
  {
    path: "reclassify",
    roles: MANAGERS,
    command: (b, base) => {
      const cls = field(b, "class");
      if (cls !== "major" && cls !== "severe" && cls !== "general") return "class";
      return field(b, "reason") ? { type: "reclassify", ...base, class: cls, reason: field(b, "reason") } : "reason";
    },
  },
];

export async function faultPages(scope: UiScope, deps: UiDeps): Promise<void> {
  scope.get<Params>("/ui/faults/:id", onSession(), async (req, reply) => renderFaultPage(req, reply, deps, req.params.id));

  for (const form of FORMS) {
    scope.post<Params>(`/ui/faults/:id/${form.path}`, onSession(form.roles), async (req, reply) => {
      const v = viewerOf(req);
      const longest = Math.max(...["note", "text", "reason"].map((k) => field(req.body, k).length));
      if (longest > TEXT_MAX)
        return renderFaultPage(req, reply, deps, req.params.id, 400, `${v.w.badRequest} (≤ ${TEXT_MAX})`);
      const cmd = form.command(req.body, { fault: req.params.id, at: deps.clock.now(), by: v.name });
      if (typeof cmd === "string") return renderFaultPage(req, reply, deps, req.params.id, 400, `${v.w.badRequest}: ${cmd}`);
      const res = await deps.faults.dispatch(cmd);
      if (!res.ok)
        return renderFaultPage(req, reply, deps, req.params.id, res.error.code.endsWith("NOT_FOUND") ? 404 : 409, res.error.message);
      return reply.redirect(`/ui/faults/${encodeURIComponent(req.params.id)}`, 303);
    });
  }
}
