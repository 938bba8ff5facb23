/**
 * Inspection rounds on a phone (/ui/inspections): today's and unfinished rounds, one round stop by stop
 * (QR check-in, items answered with large one-handed targets, photos from the camera), finish; and the
 * printable QR sheet per round (PDF). assets/inspections.js queues answers and photos while offline and
 * sends them, each with a client id, when the network returns; without it every form still posts.
 * Every action goes through the same service and idempotency as the API (http/inspections.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Fault } from "../../domain/index.ts";
import type { Actor, Item, Round } from "../../domain/inspections/index.ts";
import { dueState } from "../../domain/inspections/index.ts";
import type { Suggestion } from "../../inspections/service.ts";
import {
  type Answered,
  answerCommand,
  checkinCommand,
  PHOTO_BODY,
  photoCommand,
  type RoundCommandBuilder,
  roundActionOutcome,
  storePhoto,
} from "../inspections.ts";
import { DUE_STATE_ZH } from "../inspections-present.ts";
import { ClassBadge, CsrfField, Message, Time } from "./format.tsx";
import { INSPECTION_WORDS, type InspectionWords } from "./inspection-words.ts";
import { Layout } from "./layout.tsx";
import {
  field,
  mayUse,
  onSession,
  sendHtml,
  type UiDeps,
  type UiScope,
  type Viewer,
  viewerOf,
} from "./page.ts";

const FILLERS = ["facility_manager", "engineer"] as const;
const DUE_STATE_EN = {
  due: "to do",
  overdue: "overdue",
  done_on_time: "done on time",
  done_late: "done late",
} as const;

type Params = { id: string; stop?: string };

function words(v: Viewer): InspectionWords {
  return INSPECTION_WORDS[v.lang];
}

function actorOf(v: Viewer): Actor {
  return { name: v.name, role: v.role };
}

/** An item's answer from a form field (strings) to its kind's value; the API takes typed JSON instead. */
export function formValue(item: Item | undefined, raw: unknown): boolean | number | string {
  const text = typeof raw === "string" ? raw.trim() : raw;
  if (!item || typeof text !== "string") return text as boolean | number | string;
  if (item.kind === "yesno") return text === "yes" ? true : text === "no" ? false : text;
  if (item.kind === "reading") return text === "" || Number.isNaN(Number(text)) ? text : Number(text);
  return text;
}

function RoundCard(p: { r: Round; v: Viewer; now: number; tz: string }) {
  const s = dueState(p.r, p.now);
  const w = words(p.v);
  return (
    <li class={`card round state-${s}`}>
      <h3>
        <a href={`/ui/inspections/rounds/${p.r.id}`}>
          {p.v.lang === "en" ? (p.r.titleEn ?? p.r.title) : p.r.title}
        </a>
      </h3>
      <p>
        <span class={`status state-${s}`}>{p.v.lang === "en" ? DUE_STATE_EN[s] : DUE_STATE_ZH[s]}</span>
        {` · ${w.dueAt} `}
        <Time at={p.r.dueAt} tz={p.tz} />
        {` · ${w.heldBy}: ${p.r.claimedBy ?? w.unclaimed}`}
      </p>
    </li>
  );
}

/** A range as people write it: "18 – 27 °C", and an open one "≤ 60 %" or "≥ 10 V", never "… – 60". */
export function rangeText(range: { min?: number; max?: number }, unit: string): string {
  const { min, max } = range;
  const text = min !== undefined && max !== undefined ? `${min} – ${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`;
  return `${text} ${unit}`.trim();
}

/**
 * Why a round cannot be finished yet, by the names on the page (the service's message names stop ids,
 * in English): the stops not checked in, then the required items not answered.
 */
export function incompleteText(r: Round, lang: Viewer["lang"]): string {
  const name = (x: { title: string; titleEn?: string }) => (lang === "en" ? (x.titleEn ?? x.title) : x.title);
  const notIn = r.stops.filter((s) => !r.checkins[s.id]).map(name);
  const unanswered = r.stops
    .filter((s) => r.checkins[s.id])
    .flatMap((s) => s.items.filter((i) => i.required && !r.answers[`${s.id}/${i.id}`]).map((i) => `${name(s)}「${name(i)}」`));
  const w = INSPECTION_WORDS[lang];
  const parts = [
    notIn.length > 0 ? `${w.stopsNotCheckedIn}${notIn.join("、")}` : "",
    unanswered.length > 0 ? `${w.itemsNotAnswered}${unanswered.join("、")}` : "",
  ].filter(Boolean);
  return `${w.cannotFinish}${parts.join(w.listSeparator)}`;
}

function ItemForm(p: {
  r: Round;
  stopId: string;
  item: Item;
  v: Viewer;
  canFill: boolean;
  offer?: Suggestion;
}) {
  const { item, v } = p;
  const w = words(v);
  const answer = p.r.answers[`${p.stopId}/${item.id}`];
  const action = `/ui/inspections/rounds/${p.r.id}/answers`;
  const title = v.lang === "en" ? (item.titleEn ?? item.title) : item.title;
  const shown =
    answer === undefined
      ? ""
      : typeof answer.value === "boolean"
        ? answer.value
          ? w.yes
          : w.no
        : item.kind === "photo"
          ? "✓"
          : `${answer.value}${item.kind === "reading" ? ` ${item.unit}` : ""}`;
  const limit =
    item.kind === "reading" && item.range
      ? `${w.normalRange}: ${rangeText(item.range, item.unit)} (${w.source}: ${item.range.source})`
      : "source" in item
        ? `${w.source}: ${item.source}`
        : undefined;
  return (
    <form
      class={`item kind-${item.kind}${answer ? " done" : ""}${answer?.abnormal ? " bad" : ""}`}
      method="post"
      action={action}
      data-item={item.id}
      data-stop={p.stopId}
      data-kind={item.kind}
    >
      <CsrfField token={v.csrf} />
      <input type="hidden" name="stop" value={p.stopId} />
      <input type="hidden" name="item" value={item.id} />
      <p class="item-title">
        {title}
        {item.required ? " *" : ""}
        <span class="answer">{answer ? ` ${shown}` : ""}</span>
        {answer?.abnormal ? <span class="abnormal">{` ${w.abnormal}`}</span> : null}
      </p>
      {limit ? <p class="limit">{limit}</p> : null}
      {p.offer && p.canFill ? (
        <p class="prefill">{`${w.prefilled} ${p.offer.device} · ${p.offer.value} ${item.kind === "reading" ? item.unit : ""}`}</p>
      ) : null}
      {!p.canFill ? null : item.kind === "yesno" ? (
        <div class="choices">
          <button type="submit" name="value" value="yes" class="tap">
            {w.yes}
          </button>
          <button type="submit" name="value" value="no" class="tap">
            {w.no}
          </button>
        </div>
      ) : item.kind === "choice" ? (
        <div class="choices">
          {item.options.map((o) => (
            <button type="submit" name="value" value={o} class="tap">
              {o}
            </button>
          ))}
        </div>
      ) : item.kind === "reading" ? (
        <div class="reading">
          {p.offer ? (
            <>
              <input type="hidden" name="prefill_device" value={p.offer.device} />
              <input type="hidden" name="prefill_reading" value={p.offer.reading} />
              <input type="hidden" name="prefill_value" value={String(p.offer.value)} />
            </>
          ) : null}
          <input
            type="number"
            name="value"
            step="any"
            inputmode="decimal"
            required
            aria-label={title}
            value={p.offer ? String(p.offer.value) : undefined}
          />
          <span class="unit">{item.unit}</span>
          <button type="submit" class="tap">
            {w.save}
          </button>
        </div>
      ) : item.kind === "text" ? (
        <div class="reading">
          <textarea name="value" maxlength="4000" rows="2" aria-label={title}></textarea>
          <button type="submit" class="tap">
            {w.save}
          </button>
        </div>
      ) : (
        <label class="tap photo-button">
          {w.addPhoto}
          <input
            type="file"
            accept="image/*"
            capture="environment"
            class="photo-input"
            data-stop={p.stopId}
            data-item={item.id}
          />
        </label>
      )}
    </form>
  );
}

function RoundPage(p: {
  r: Round;
  v: Viewer;
  deps: UiDeps;
  now: number;
  error?: string;
  offers: Record<string, Suggestion>;
  /** The round's faults (archived ones read from the store). */
  faults: ReadonlyMap<string, Fault | undefined>;
}) {
  const { r, v } = p;
  const w = words(v);
  const tz = p.deps.policy.timezone;
  const s = dueState(r, p.now);
  const mayFill = mayUse(v.role, FILLERS);
  const mine = r.claimedBy === undefined || r.claimedBy === v.name;
  const canFill = mayFill && mine && r.status !== "completed";
  const title = v.lang === "en" ? (r.titleEn ?? r.title) : r.title;
  return (
    <Layout title={title} path={`/ui/inspections/rounds/${r.id}`} lang={v.lang} viewer={v} now={p.now}>
      <div data-round={r.id} data-server-now={String(p.now)} id="round">
        {p.error ? <Message kind="error" text={p.error} /> : null}
        <p class="round-head">
          <span id="round-state" class={`status state-${s}`}>
            {v.lang === "en" ? DUE_STATE_EN[s] : DUE_STATE_ZH[s]}
          </span>
          {` · ${w.dueAt} `}
          <Time at={r.dueAt} tz={tz} />
          {` · ${w.heldBy}: `}
          <span id="held-by">{r.claimedBy ?? w.unclaimed}</span>
        </p>
        <p id="queue-status" class="info" hidden></p>
        {!mayFill ? <Message kind="info" text={w.readOnlyRounds} /> : null}
        {mayFill && r.claimedBy === undefined && r.status !== "completed" ? (
          <form method="post" action={`/ui/inspections/rounds/${r.id}/claim`}>
            <CsrfField token={v.csrf} />
            <button type="submit" class="tap" id="claim">
              {w.claim}
            </button>
          </form>
        ) : null}
        <p>
          <a href={`/ui/inspections/rounds/${r.id}/qr.pdf`} id="qr-sheet">
            {w.qrSheet}
          </a>
        </p>
        {r.stops.map((stop) => {
          const c = r.checkins[stop.id];
          const photos = r.photos.filter((ph) => ph.stopId === stop.id);
          return (
            <section class="stop" id={`stop-${stop.id}`} data-stop={stop.id}>
              <h2>{v.lang === "en" ? (stop.titleEn ?? stop.title) : stop.title}</h2>
              {c ? (
                <p class="checkin ok" data-via={c.via}>
                  {`${w.checkedIn} · ${c.by} · `}
                  <Time at={c.at} tz={tz} />
                  {c.via === "qr" ? " · QR" : ""}
                </p>
              ) : (
                <>
                  <p class="checkin">{w.notCheckedIn}</p>
                  {canFill ? (
                    <form
                      method="post"
                      action={`/ui/inspections/rounds/${r.id}/checkin/${stop.id}`}
                      class="checkin-form"
                    >
                      <CsrfField token={v.csrf} />
                      <button type="submit" class="link" id={`checkin-${stop.id}`}>
                        {w.checkinManual}
                      </button>
                    </form>
                  ) : null}
                </>
              )}
              {/* A stop not checked in yet has its items in the page, closed: a check-in by hand opens them
                  at once, offline too (assets/inspections.js queues it before the answers). */}
              {c || r.status === "completed" || canFill ? (
                <div class="stop-items" hidden={!c && r.status !== "completed"}>
                  {stop.items.map((item) => (
                    <ItemForm
                      r={r}
                      stopId={stop.id}
                      item={item}
                      v={v}
                      canFill={canFill}
                      offer={p.offers[`${stop.id}/${item.id}`]}
                    />
                  ))}
                  {canFill ? (
                    <label class="tap photo-button">
                      {`${w.addPhoto} (${w.photos})`}
                      <input
                        type="file"
                        accept="image/*"
                        capture="environment"
                        class="photo-input"
                        data-stop={stop.id}
                      />
                    </label>
                  ) : null}
                </div>
              ) : null}
              <div class="photos">
                {photos.map((ph) => (
                  <img
                    src={`/ui/inspections/photos/${ph.hash}`}
                    alt={ph.hash.slice(0, 12)}
                    data-sha256={ph.hash}
                    loading="lazy"
                  />
                ))}
              </div>
            </section>
          );
        })}
        {r.faults.length > 0 ? (
          <section id="round-faults">
            <h2>{w.faultsOpened}</h2>
            <ul>
              {r.faults.map((f) => {
                const fault = p.faults.get(f.faultId);
                return (
                  <li>
                    {fault ? <ClassBadge cls={fault.class} lang={v.lang} /> : null}
                    <a href={`/ui/faults/${f.faultId}`}>{` ${f.faultId} ${fault?.title ?? ""}`}</a>
                    {f.photos.length > 0 ? ` · ${w.photos} ${f.photos.length}` : ""}
                  </li>
                );
              })}
            </ul>
          </section>
        ) : null}
        {canFill ? (
          <form method="post" action={`/ui/inspections/rounds/${r.id}/finish`} id="finish-form">
            <CsrfField token={v.csrf} />
            <button type="submit" class="tap primary" id="finish">
              {w.finish}
            </button>
          </form>
        ) : null}
        {r.status === "completed" ? (
          <p id="finished" class="info">
            {`${w.finished} · ${r.completedBy} · `}
            <Time at={r.completedAt!} tz={tz} />
          </p>
        ) : null}
        {r.annotations.length > 0 ? (
          <section>
            <h2>{w.annotations}</h2>
            <ul>
              {r.annotations.map((a) => (
                <li>
                  {`${a.by} · `}
                  <Time at={a.at} tz={tz} />
                  {` · ${a.text}`}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {mayFill ? (
          <form method="post" action={`/ui/inspections/rounds/${r.id}/annotations`} class="annotate">
            <CsrfField token={v.csrf} />
            <label>
              {w.annotate}
              <textarea name="text" maxlength="4000" rows="2"></textarea>
            </label>
            <button type="submit">{w.save}</button>
          </form>
        ) : null}
      </div>
      <script src="/ui/assets/inspections.js" defer></script>
    </Layout>
  );
}

/** JSON for the page's script (it sends JSON and wants JSON back); a redirect or a page for a plain form. */
async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  out: Answered,
  back: string,
  deps: UiDeps,
  roundId: string,
) {
  if (out.replay) reply.header("x-watchfloor-replay", "1");
  const refusal = out.body as { error?: string; message?: string };
  const r = refusal.error === "ROUND_INCOMPLETE" ? await deps.inspections.rows.round(roundId) : undefined;
  const sent = r ? { ...refusal, message: incompleteText(r, viewerOf(req).lang) } : out.body;
  if (
    req.headers["content-type"]?.startsWith("application/json") ||
    req.headers.accept === "application/json"
  )
    return reply.code(out.status).send(sent);
  if (out.status < 300) return reply.redirect(back, 303);
  return renderRound(req, reply, deps, roundId, out.status, (sent as { message?: string }).message);
}

async function renderRound(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: UiDeps,
  id: string,
  status = 200,
  error?: string,
) {
  const v = viewerOf(req);
  const r = await deps.inspections.rows.round(id);
  if (!r)
    return sendHtml(
      reply,
      404,
      <Layout title={words(v).notFound} path="/ui/inspections" lang={v.lang} viewer={v} />,
    );
  const offers = await deps.inspections.suggestions(r);
  const faults = await deps.faults.faultsById(r.faults.map((f) => f.faultId));
  return sendHtml(
    reply,
    status,
    <RoundPage r={r} v={v} deps={deps} now={deps.clock.now()} error={error} offers={offers} faults={faults} />,
  );
}

function body(req: FastifyRequest): Record<string, unknown> {
  return req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
}

function optional(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export async function inspectionPages(scope: UiScope, deps: UiDeps): Promise<void> {
  const svc = deps.inspections;
  const tz = deps.policy.timezone;

  scope.get("/ui/inspections", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const w = words(v);
    const now = deps.clock.now();
    const dayAgo = now - 86_400_000;
    const list = (await svc.rows.rounds({ limit: 300 })).filter((r) => r.status !== "completed" || r.firedAt >= dayAgo);
    return sendHtml(
      reply,
      200,
      <Layout title={w.rounds} path="/ui/inspections" lang={v.lang} viewer={v} now={now}>
        <h2>{w.today}</h2>
        {list.length === 0 ? (
          <p>{w.noRounds}</p>
        ) : (
          <ul class="cards" id="rounds">
            {list.map((r) => (
              <RoundCard r={r} v={v} now={now} tz={tz} />
            ))}
          </ul>
        )}
        <p>
          <a href="/ui/hazards">{w.hazardsTitle}</a>
        </p>
      </Layout>,
    );
  });

  scope.get<{ Params: Params }>("/ui/inspections/rounds/:id", onSession(), async (req, reply) =>
    renderRound(req, reply, deps, req.params.id),
  );

  // The URL printed as a QR code at each stop: opens a one-tap check-in (a GET never changes anything).
  scope.get<{ Params: Params; Querystring: { code?: string } }>(
    "/ui/inspections/rounds/:id/checkin/:stop",
    onSession(FILLERS),
    async (req, reply) => {
      const v = viewerOf(req);
      const w = words(v);
      const r = await svc.rows.round(req.params.id);
      const stop = r?.stops.find((s) => s.id === req.params.stop);
      if (!r || !stop)
        return sendHtml(
          reply,
          404,
          <Layout title={w.notFound} path="/ui/inspections" lang={v.lang} viewer={v} />,
        );
      return sendHtml(
        reply,
        200,
        <Layout
          title={w.checkinTitle}
          path={`/ui/inspections/rounds/${r.id}/checkin/${stop.id}`}
          lang={v.lang}
          viewer={v}
        >
          <h2>{v.lang === "en" ? (r.titleEn ?? r.title) : r.title}</h2>
          <p class="stop-name">{v.lang === "en" ? (stop.titleEn ?? stop.title) : stop.title}</p>
          <form method="post" action={`/ui/inspections/rounds/${r.id}/checkin/${stop.id}`}>
            <CsrfField token={v.csrf} />
            <input type="hidden" name="code" value={req.query.code ?? ""} />
            <button type="submit" class="tap primary" id="checkin">
              {w.checkin}
            </button>
          </form>
        </Layout>,
      );
    },
  );

  const act = <B extends { clientId?: string; at?: string }>(
    path: string,
    parse: (b: Record<string, unknown>, round: Round | undefined) => B,
    command: RoundCommandBuilder<B>,
    back: (id: string, b: B, params: Params) => string,
  ) =>
    scope.post<{ Params: Params }>(
      `/ui/inspections/rounds/:id/${path}`,
      onSession(FILLERS),
      async (req, reply) => {
        const v = viewerOf(req);
        const b = parse(body(req), await svc.rows.round(req.params.id));
        const out = await roundActionOutcome(
          deps,
          actorOf(v),
          req.params.id,
          req.params as Record<string, string>,
          b,
          command,
        );
        return answer(req, reply, out, back(req.params.id, b, req.params), deps, req.params.id);
      },
    );
  const common = (b: Record<string, unknown>) => ({
    clientId: optional(b, "clientId"),
    at: optional(b, "at"),
  });
  const roundUrl = (id: string) => `/ui/inspections/rounds/${id}`;

  act("claim", common, (_b, at, by) => ({ type: "claim", at, by }), roundUrl);
  type Base = { clientId?: string; at?: string };
  act<Base & { code?: string }>(
    "checkin/:stop",
    (b) => {
      const code = optional(b, "code");
      return { ...common(b), code };
    },
    checkinCommand(svc),
    (id, _b, params) => `${roundUrl(id)}#stop-${params.stop}`,
  );
  act(
    "answers",
    (b, round) => {
      const stop = field(b, "stop");
      const item = field(b, "item");
      const def = round?.stops.find((s) => s.id === stop)?.items.find((i) => i.id === item);
      const offered = Number(field(b, "prefill_value"));
      const prefilled =
        field(b, "prefill_device") && field(b, "prefill_reading") && Number.isFinite(offered)
          ? { device: field(b, "prefill_device"), reading: field(b, "prefill_reading"), value: offered }
          : undefined;
      return { ...common(b), stop, item, value: formValue(def, b.value), prefilled };
    },
    answerCommand,
    (id, b) => `${roundUrl(id)}#stop-${b.stop}`,
  );
  act<Base & { stop: string; item?: string; sha256: string }>(
    "photos",
    (b) => ({ ...common(b), stop: field(b, "stop"), item: optional(b, "item"), sha256: field(b, "sha256") }),
    photoCommand(svc),
    (id, b) => `${roundUrl(id)}#stop-${b.stop}`,
  );
  act("finish", common, (_b, at, by) => ({ type: "finish", at, by }), roundUrl);
  act(
    "annotations",
    (b) => ({ ...common(b), text: field(b, "text").slice(0, 4000) }),
    (b, at, by) => ({ type: "annotate", at, by, text: b.text }),
    roundUrl,
  );

  // Photos from the page's script: the body is the (resized) image; it answers the sha256.
  await scope.register(async (photos) => {
    photos.addContentTypeParser(
      PHOTO_BODY.types,
      { parseAs: "buffer", bodyLimit: PHOTO_BODY.maxBytes },
      (_req, b, done) => done(null, b),
    );
    photos.post("/ui/inspections/photos", onSession(FILLERS), async (req, reply) => {
      const type = String(req.headers["content-type"] ?? "")
        .split(";")[0]!
        .trim();
      const out = await storePhoto(deps, viewerOf(req).name, type, req.body);
      return reply.code(out.status).send(out.body);
    });
  });

  scope.get<{ Params: { sha256: string } }>(
    "/ui/inspections/photos/:sha256",
    onSession(),
    async (req, reply) => {
      const p = await svc.rows.photo(req.params.sha256);
      if (!p) return reply.code(404).type("text/plain").send("not found");
      return reply.type(p.mime).header("cache-control", "private, max-age=31536000, immutable").send(p.bytes);
    },
  );

  scope.get<{ Params: Params }>(
    "/ui/inspections/rounds/:id/qr.pdf",
    onSession(FILLERS),
    async (req, reply) => {
      const r = await svc.rows.round(req.params.id);
      if (!r) return reply.code(404).type("text/plain").send("not found");
      const base = `${req.protocol}://${req.headers.host ?? "localhost"}`;
      // pdfkit loads on the first QR sheet, not at the collector's start.
      const { qrSheetPdf } = await import("./qr-sheet.ts");
      const pdf = await qrSheetPdf(
        r,
        (stopId) =>
          `${base}/ui/inspections/rounds/${r.id}/checkin/${stopId}?code=${svc.checkinCode(r, stopId)}`,
        tz,
      );
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="${r.id}-qr.pdf"`)
        .send(pdf);
    },
  );
}
