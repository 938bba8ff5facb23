/**
 * The floor board, phone first: one card per open fault (majors first), what failed in words, device
 * name and zone, the reading that decides what to do next (a UPS's remaining runtime, readings.tsx),
 * deadlines ticking in the browser, folded children under their parent; then who is on
 * call and the quarter's KPI. The cards refresh over htmx when the live stream (/ui/events) says the
 * record changed, when it reconnects, and every five minutes as a safety net.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Fault, type KpiReport, parsePeriod, type Policy, quarterOf } from "../../domain/index.ts";
import { deviceOf, faultTitle, whatFailed } from "./conditions.ts";
import { ClassBadge, Deadlines, StatusBadge, Time } from "./format.tsx";
import { CLASS_NAMES, type Lang, named, ROLE_NAMES, type Words } from "./i18n.ts";
import { Layout } from "./layout.tsx";
import { CardReadings } from "./readings.tsx";
import { errorPage } from "./login.tsx";
import { onSession, sendFragment, sendHtml, type UiDeps, type UiScope, viewerOf } from "./page.ts";

const CLASS_RANK = { major: 0, severe: 1, general: 2 } as const;
type FaultClass = keyof typeof CLASS_RANK;
/**
 * Cards the board renders at most, majors first: in a storm of 3,000 open faults every card made a
 * 4 MB page and each refresh held the event loop for half a second, when the board is needed most.
 * The rest are counted, with links that narrow the board to a class (or `?zone=`).
 */
export const BOARD_CARD_LIMIT = 200;

/** What the board shows: every open fault, or those of one class and/or zone (`/ui?class=major&zone=…`). */
export interface BoardFilter {
  class?: FaultClass;
  zone?: string;
}

/** The filter a query asks for; undefined when it is not one (a class that does not exist, a key twice). */
function boardFilterOf(req: FastifyRequest): BoardFilter | undefined {
  const q = req.query as Record<string, unknown>;
  const cls = q["class"];
  const zone = q["zone"];
  if (cls !== undefined && (typeof cls !== "string" || !Object.hasOwn(CLASS_RANK, cls))) return undefined;
  if (zone !== undefined && typeof zone !== "string") return undefined;
  return { ...(cls ? { class: cls as FaultClass } : {}), ...(zone ? { zone } : {}) };
}

function filterQuery(f: BoardFilter): string {
  const q = new URLSearchParams();
  if (f.class) q.set("class", f.class);
  if (f.zone) q.set("zone", f.zone);
  const s = q.toString();
  return s ? `?${s}` : "";
}
/** How often the live stream tells the browser the server's time (keeps countdowns right, the line open). */
const CLOCK_EVERY_MS = 15_000;
const CHANGE_POLL_MS = 1_000;

export interface OnCallView {
  dutyDay: string;
  roles: Array<{ role: string; person?: string; name?: string; source: string; reason?: string }>;
}

interface BoardData {
  faults: Fault[];
  byId: (id: string) => Fault | undefined;
  now: number;
  policy: Policy;
  deps: UiDeps;
}

function FaultCard(p: { f: Fault; data: BoardData; lang: Lang; w: Words }) {
  const { f, data, lang, w } = p;
  const dev = deviceOf(data.deps.inventory, f.device);
  const children = f.children.map(data.byId).filter((c): c is Fault => c !== undefined);
  return (
    <article class={`card card-${f.class}`} id={`fault-${f.id}`}>
      <div class="card-head">
        <ClassBadge cls={f.class} lang={lang} />
        <StatusBadge status={f.status} lang={lang} />
        <Time at={f.openedAt} tz={data.policy.timezone} />
      </div>
      <h3>
        <a href={`/ui/faults/${encodeURIComponent(f.id)}`}>{faultTitle(f, data.deps.inventory, lang)}</a>
      </h3>
      <p class="what">{whatFailed(f, lang)}</p>
      <p class="where">
        <span class="device">{dev.name}</span>
        {dev.zone ? <span class="zone">{dev.zone}</span> : null}
      </p>
      <CardReadings f={f} />
      <Deadlines fault={f} now={data.now} policy={data.policy} lang={lang} w={w} />
      {children.length > 0 ? (
        <details class="children">
          <summary>{`${w.foldedChildren} (${children.length})`}</summary>
          <ul>
            {children.map((c) => (
              <li>{`${deviceOf(data.deps.inventory, c.device).name} · ${whatFailed(c, lang)}`}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}

/** The cards alone: the fragment htmx swaps in. `data-server-now` re-syncs the countdowns. */
export function FaultCards(p: { data: BoardData; lang: Lang; w: Words; filter?: BoardFilter }) {
  const filter = p.filter ?? {};
  const zoneOf = (f: Fault) => p.data.deps.inventory.devices[f.device]?.zone;
  const open = p.data.faults.filter(
    (f) =>
      (f.status === "open" || f.status === "acknowledged") &&
      (!filter.class || f.class === filter.class) &&
      (!filter.zone || zoneOf(f) === filter.zone),
  );
  const shown = open
    .sort((a, b) => CLASS_RANK[a.class] - CLASS_RANK[b.class] || a.openedAt - b.openedAt)
    .slice(0, BOARD_CARD_LIMIT);
  const hidden = open.length - shown.length;
  const perClass = (cls: FaultClass) => open.filter((f) => f.class === cls).length;
  const filtered = filter.class !== undefined || filter.zone !== undefined;
  return (
    <section
      id="faults"
      hx-get={`/ui/board/cards${filterQuery(filter)}`}
      hx-trigger="wf:refresh from:body, every 300s"
      hx-swap="outerHTML"
      data-server-now={String(p.data.now)}
    >
      <h2>
        {p.w.openFaults} <small>{`(${open.length})`}</small>
      </h2>
      {filtered ? (
        <p class="filter">
          {[filter.class ? named(CLASS_NAMES, p.lang, filter.class) : "", filter.zone ?? ""].filter(Boolean).join(" · ")}{" "}
          <a href="/ui">{p.w.showAll}</a>
        </p>
      ) : null}
      {open.length === 0 ? <p class="muted">{p.w.noOpenFaults}</p> : null}
      <div class="cards">
        {shown.map((f) => (
          <FaultCard f={f} data={p.data} lang={p.lang} w={p.w} />
        ))}
      </div>
      {hidden > 0 ? (
        <p class="more-faults">
          {p.w.moreNotShown.replace("{n}", String(hidden))}
          {filter.class
            ? null
            : (["major", "severe", "general"] as const).map((cls) =>
                perClass(cls) > 0 ? (
                  <>
                    {" · "}
                    <a href={`/ui${filterQuery({ ...filter, class: cls })}`}>
                      {`${p.w.showOnly} ${named(CLASS_NAMES, p.lang, cls)} (${perClass(cls)})`}
                    </a>
                  </>
                ) : null,
              )}
        </p>
      ) : null}
    </section>
  );
}

function OnCall(p: { oncall: OnCallView | undefined; lang: Lang; w: Words }) {
  const { w, lang } = p;
  if (!p.oncall)
    return (
      <section id="oncall">
        <h2>{w.onCall}</h2>
        <p class="muted">{w.noRoster}</p>
      </section>
    );
  return (
    <section id="oncall">
      <h2>
        {w.onCall} <small>{`${w.dutyDay} ${p.oncall.dutyDay}`}</small>
      </h2>
      <dl class="pairs">
        {p.oncall.roles.map((r) => [
          <dt>{named(ROLE_NAMES, lang, r.role)}</dt>,
          <dd class="person">
            {r.person ? (r.name ?? r.person) : <span class="muted">{w.nobody}</span>}
            {r.source === "override" ? (
              <span class="muted">{` (${w.override}${r.reason ? `: ${r.reason}` : ""})`}</span>
            ) : null}
          </dd>,
        ])}
      </dl>
    </section>
  );
}

export function percent(x: number): string {
  return `${(Math.floor(x * 10000) / 100).toFixed(2)} %`;
}

export function yuan(x: number): string {
  return `¥${x.toLocaleString("en-US")}`;
}

function Kpi(p: { kpi: KpiReport; w: Words; auditHead?: { seq: number; hash: string } }) {
  const { kpi, w, auditHead } = p;
  return (
    <section id="kpi">
      <h2>
        {w.kpi} <small>{kpi.period.label}</small>
      </h2>
      <p class={`big ${kpi.metTarget ? "ok" : "bad"}`}>
        {percent(kpi.timeliness)} <small>{`${w.target} ${percent(kpi.target)}`}</small>
      </p>
      <dl class="pairs">
        <dt>{w.met}</dt>
        <dd>{kpi.met}</dd>
        <dt>{w.breached}</dt>
        <dd>{kpi.breached}</dd>
        <dt>{w.pending}</dt>
        <dd>{kpi.pending}</dd>
        <dt>{w.exempted}</dt>
        <dd>{kpi.exempted}</dd>
        <dt>{w.deduction}</dt>
        <dd class={kpi.deductionCny > 0 ? "bad" : undefined}>{yuan(kpi.deductionCny)}</dd>
        <dt>{w.auditHead}</dt>
        <dd>
          <code title={auditHead?.hash}>{auditHead ? `#${auditHead.seq} ${auditHead.hash.slice(0, 16)}` : "—"}</code>
        </dd>
      </dl>
    </section>
  );
}

/** The board shows open faults and their folded children: never archived, so the live ones serve. */
function boardData(deps: UiDeps): BoardData {
  return {
    faults: deps.faults.liveFaults(),
    byId: (id) => deps.faults.liveFault(id),
    now: deps.clock.now(),
    policy: deps.policy,
    deps,
  };
}

export async function boardPages(scope: UiScope, deps: UiDeps): Promise<void> {
  const badFilter = (req: FastifyRequest, reply: FastifyReply) => {
    const v = viewerOf(req);
    return sendHtml(reply, 400, errorPage({ lang: v.lang, viewer: v, status: 400, text: `${v.w.badRequest}: class (major, severe, general), zone` }));
  };

  scope.get("/ui", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const filter = boardFilterOf(req);
    if (!filter) return badFilter(req, reply);
    const data = boardData(deps);
    const tz = deps.policy.timezone;
    const period = parsePeriod(quarterOf(data.now, tz), tz);
    if (!("start" in period)) throw new Error(`current quarter did not parse: ${period.message}`);
    const oncall = deps.paging
      ? { dutyDay: deps.paging.dutyDay(data.now).date, roles: deps.paging.onCall(data.now) }
      : undefined;
    return sendHtml(
      reply,
      200,
      <Layout title={v.w.board} path="/ui" lang={v.lang} viewer={v} now={data.now} live>
        <FaultCards data={data} lang={v.lang} w={v.w} filter={filter} />
        <div class="side">
          <OnCall oncall={oncall} lang={v.lang} w={v.w} />
          <Kpi kpi={await deps.faults.kpi(period, data.now)} w={v.w} auditHead={await deps.store.auditHead()} />
        </div>
      </Layout>,
    );
  });

  scope.get("/ui/board/cards", onSession(), async (req, reply) => {
    const v = viewerOf(req);
    const filter = boardFilterOf(req);
    if (!filter) return badFilter(req, reply);
    return sendFragment(reply, <FaultCards data={boardData(deps)} lang={v.lang} w={v.w} filter={filter} />);
  });

  liveEvents(scope, deps);
}

/**
 * GET /ui/events: server-sent events. `changed` whenever the audit chain grew (every state change is
 * audited: an event, an ack, a breach at its instant), `clock` with the server's time. The browser's
 * EventSource reconnects by itself; on reconnect the page refetches, so nothing missed stays missed.
 */
function liveEvents(scope: UiScope, deps: UiDeps): void {
  const clients = new Set<FastifyReply>();
  let lastSeq = 0;
  let poll: NodeJS.Timeout | undefined;
  let clock: NodeJS.Timeout | undefined;
  const send = (event: string, data: string) => {
    for (const c of clients) c.raw.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const headSeq = async () => (await deps.store.auditHead())?.seq ?? 0;
  const start = async () => {
    if (poll) return;
    poll = setInterval(() => {
      void headSeq().then((seq) => {
        if (seq === lastSeq) return;
        lastSeq = seq;
        send("changed", String(seq));
      }, () => {});
    }, CHANGE_POLL_MS);
    clock = setInterval(() => send("clock", String(deps.clock.now())), CLOCK_EVERY_MS);
    poll.unref();
    clock.unref();
  };
  const stopIfIdle = () => {
    if (clients.size > 0) return;
    clearInterval(poll);
    clearInterval(clock);
    poll = undefined;
    clock = undefined;
  };
  // preClose, not onClose: fastify closes the server before the onClose hooks run, and the server
  // waits for every open response, so a board left open (a wall screen) would hold a SIGTERM for ever.
  scope.addHook("preClose", async () => {
    for (const c of clients) c.raw.end();
    clients.clear();
    stopIfIdle();
  });

  scope.get("/ui/events", onSession(), async (req, reply) => {
    viewerOf(req);
    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      connection: "keep-alive",
    });
    reply.raw.write(`retry: 5000\nevent: clock\ndata: ${deps.clock.now()}\n\n`);
    clients.add(reply);
    // The head as the stream starts: only what changes after it is news.
    if (!poll) lastSeq = await headSeq();
    await start();
    req.raw.on("close", () => {
      clients.delete(reply);
      stopIfIdle();
    });
  });
}

