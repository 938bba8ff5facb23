/**
 * Hidden hazards (/ui/hazards): the open ones with their age, a report form, and one hazard with its
 * steps (who, when, photos before and after) and the next step the viewer may take. Steps go through
 * the same service as the API (/api/v1/hazards); the domain refuses a step the role or state does not allow.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Actor, Hazard, HazardCommand, HazardStep } from "../../domain/inspections/index.ts";
import { HAZARD_STATUS_ZH, HAZARD_STEP_ROLES } from "../../domain/inspections/index.ts";
import { newHazardId } from "../../inspections/service.ts";
import { firstMissingPhoto } from "../inspections.ts";
import { CsrfField, duration, Message, Time } from "./format.tsx";
import { INSPECTION_WORDS } from "./inspection-words.ts";
import { raw } from "./jsx/jsx-runtime.ts";
import { Layout } from "./layout.tsx";
import { field, mayUse, onSession, sendHtml, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";

const FILLERS = ["facility_manager", "engineer"] as const;
const STATUS_EN = { reported: "reported", fixing: "being fixed", fix_checked: "fix checked", closed: "closed" } as const;
const SHA256 = /^[0-9a-f]{64}$/;

function statusText(h: Hazard, v: Viewer) {
  return v.lang === "en" ? STATUS_EN[h.status] : HAZARD_STATUS_ZH[h.status];
}

/** The photos field: sha256 values separated by commas (filled by assets/inspections.js after upload). */
function photosOf(b: unknown): string[] | undefined {
  const list = field(b, "photos")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return list.every((s) => SHA256.test(s)) ? list : undefined;
}

function PhotoField(p: { label: string }) {
  return (
    <label class="tap photo-button">
      {p.label}
      <input type="file" accept="image/*" capture="environment" class="hazard-photo" />
      <input type="hidden" name="photos" value="" />
    </label>
  );
}

function Step(p: { label: string; step: HazardStep | undefined; tz: string; cls: string }) {
  if (!p.step) return raw("");
  return (
    <>
      <dt>{p.label}</dt>
      <dd class={p.cls}>
        {`${p.step.by} · `}
        <Time at={p.step.at} tz={p.tz} />
        {p.step.note ? ` · ${p.step.note}` : ""}
        {p.step.photos.map((h) => (
          <img src={`/ui/inspections/photos/${h}`} alt={h.slice(0, 12)} data-sha256={h} class="thumb" />
        ))}
      </dd>
    </>
  );
}

function HazardPage(p: { h: Hazard; v: Viewer; deps: UiDeps; error?: string }) {
  const { h, v } = p;
  const w = INSPECTION_WORDS[v.lang];
  const tz = p.deps.policy.timezone;
  const now = p.deps.clock.now();
  const may = (step: HazardCommand["type"]) => mayUse(v.role, HAZARD_STEP_ROLES[step]);
  const form = (path: string, id: string, label: string, extra?: unknown) => (
    <form method="post" action={`/ui/hazards/${h.id}/${path}`}>
      <CsrfField token={v.csrf} />
      {extra as never}
      <button type="submit" class="tap primary" id={id}>
        {label}
      </button>
    </form>
  );
  const note = (
    <label>
      {v.w.note}
      <textarea name="note" maxlength="4000" rows="2"></textarea>
    </label>
  );
  return (
    <Layout title={h.title} path={`/ui/hazards/${h.id}`} lang={v.lang} viewer={v} now={now}>
      {p.error ? <Message kind="error" text={p.error} /> : null}
      <p>
        <span id="hazard-status" class={`status hazard-${h.status}`}>
          {statusText(h, v)}
        </span>
        {h.status !== "closed" ? ` · ${w.age} ${duration((now - h.reported.at) / 1000, v.w)}` : ""}
      </p>
      <dl class="pairs">
        <dt>{w.location}</dt>
        <dd>{h.location}</dd>
        <Step label={w.reportedBy} step={h.reported} tz={tz} cls="reported" />
        <Step label={w.fixStartedBy} step={h.fixStarted} tz={tz} cls="fix-started" />
        {h.rejected.map((r) => (
          <Step label={w.rejectFix} step={r} tz={tz} cls="rejected" />
        ))}
        <Step label={w.fixedBy} step={h.fixed} tz={tz} cls="fixed" />
        <Step label={w.checkedBy} step={h.checked} tz={tz} cls="checked" />
        <Step label={w.closedBy} step={h.closedStep} tz={tz} cls="closed" />
      </dl>
      {h.status === "reported" && may("start_fix") ? form("start-fix", "start-fix", w.startFix, note) : null}
      {h.status === "fixing" && !h.fixed && may("record_fix")
        ? form("fix", "record-fix", w.recordFix, [note, <PhotoField label={w.addPhoto} />])
        : null}
      {h.status === "fixing" && h.fixed && may("check_fix") && h.fixed.by !== v.name ? (
        <>
          {form("check", "accept-fix", w.checkFix, <input type="hidden" name="accept" value="yes" />)}
          {form("check", "reject-fix", w.rejectFix, [note, <input type="hidden" name="accept" value="no" />])}
        </>
      ) : null}
      {h.status === "fix_checked" && may("close") ? form("close", "close-hazard", w.close, note) : null}
      <script src="/ui/assets/inspections.js" defer></script>
    </Layout>
  );
}

async function renderHazard(req: FastifyRequest, reply: FastifyReply, deps: UiDeps, id: string, status = 200, error?: string) {
  const v = viewerOf(req);
  const h = await deps.inspections.rows.hazard(id);
  if (!h) return sendHtml(reply, 404, <Layout title={INSPECTION_WORDS[v.lang].notFound} path="/ui/hazards" lang={v.lang} viewer={v} />);
  return sendHtml(reply, status, <HazardPage h={h} v={v} deps={deps} error={error} />);
}

export async function hazardPages(scope: UiScope, deps: UiDeps): Promise<void> {
  const svc = deps.inspections;
  const tz = deps.policy.timezone;

  scope.get("/ui/hazards", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const w = INSPECTION_WORDS[v.lang];
    const now = deps.clock.now();
    const all = await svc.rows.hazards();
    const open = all.filter((h) => h.status !== "closed");
    return sendHtml(
      reply,
      200,
      <Layout title={w.hazardsTitle} path="/ui/hazards" lang={v.lang} viewer={v} now={now}>
        {mayUse(v.role, HAZARD_STEP_ROLES.report) ? (
          <form method="post" action="/ui/hazards" id="report-hazard" class="card">
            <h2>{w.reportHazard}</h2>
            <CsrfField token={v.csrf} />
            <label>
              {w.hazardTitle}
              <input name="title" id="hazard-title" required maxlength="500" />
            </label>
            <label>
              {w.location}
              <input name="location" id="hazard-location" required maxlength="500" />
            </label>
            <label>
              {w.description}
              <textarea name="description" maxlength="4000" rows="2"></textarea>
            </label>
            <PhotoField label={w.addPhoto} />
            <button type="submit" class="tap primary" id="report">
              {w.report}
            </button>
          </form>
        ) : null}
        <h2>{w.openHazards}</h2>
        {all.length === 0 ? <p>{w.noHazards}</p> : null}
        <ul class="cards" id="hazards">
          {[...open, ...all.filter((h) => h.status === "closed")].map((h) => (
            <li class={`card hazard hazard-${h.status}`}>
              <h3>
                <a href={`/ui/hazards/${h.id}`}>{h.title}</a>
              </h3>
              <p>
                {`${statusText(h, v)} · ${h.location} · ${h.reported.by} `}
                <Time at={h.reported.at} tz={tz} />
                {h.status !== "closed" ? ` · ${w.age} ${duration((now - h.reported.at) / 1000, v.w)}` : ""}
              </p>
            </li>
          ))}
        </ul>
        <script src="/ui/assets/inspections.js" defer></script>
      </Layout>,
    );
  });

  scope.post("/ui/hazards", onSession(FILLERS), async (req, reply) => {
    const v = viewerOf(req);
    const photos = photosOf(req.body);
    const title = field(req.body, "title");
    const location = field(req.body, "location");
    if (!photos || !title || !location || (await firstMissingPhoto(svc, photos)) !== undefined)
      return reply.redirect("/ui/hazards", 303);
    const res = await svc.hazard(undefined, {
      type: "report",
      at: deps.clock.now(),
      by: { name: v.name, role: v.role },
      id: newHazardId(),
      title: title.slice(0, 500),
      location: location.slice(0, 500),
      description: field(req.body, "description").slice(0, 4000) || undefined,
      photos,
    });
    if (!res.ok) return reply.redirect("/ui/hazards", 303);
    return reply.redirect(`/ui/hazards/${res.value.id}`, 303);
  });

  scope.get<{ Params: { id: string } }>("/ui/hazards/:id", onSession(), async (req, reply) => renderHazard(req, reply, deps, req.params.id));

  const steps: Array<{ path: string; command: (b: unknown, at: number, by: Actor) => HazardCommand | string }> = [
    { path: "start-fix", command: (b, at, by) => ({ type: "start_fix", at, by, note: field(b, "note") || undefined }) },
    {
      path: "fix",
      command: (b, at, by) => {
        const photos = photosOf(b);
        return photos ? { type: "record_fix", at, by, note: field(b, "note") || undefined, photos } : "photos";
      },
    },
    {
      path: "check",
      command: (b, at, by) => ({ type: "check_fix", at, by, accept: field(b, "accept") === "yes", note: field(b, "note") || undefined }),
    },
    { path: "close", command: (b, at, by) => ({ type: "close", at, by, note: field(b, "note") || undefined }) },
  ];
  for (const step of steps)
    scope.post<{ Params: { id: string } }>(`/ui/hazards/:id/${step.path}`, onSession(FILLERS), async (req, reply) => {
      const v = viewerOf(req);
      const cmd = step.command(req.body, deps.clock.now(), { name: v.name, role: v.role });
      if (typeof cmd === "string") return renderHazard(req, reply, deps, req.params.id, 400, v.w.badRequest);
      if ("photos" in cmd && (await firstMissingPhoto(svc, cmd.photos)) !== undefined)
        return renderHazard(req, reply, deps, req.params.id, 400, v.w.badRequest);
      const res = await svc.hazard(req.params.id, cmd);
      if (!res.ok)
        return renderHazard(req, reply, deps, req.params.id, res.error.code === "NOT_FOUND" ? 404 : res.error.code === "FORBIDDEN" ? 403 : 409, res.error.message);
      return reply.redirect(`/ui/hazards/${req.params.id}`, 303);
    });
}
