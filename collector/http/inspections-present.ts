/** JSON for rounds and hazards: site-zone ISO times, the due state, faults with their status; no secrets. */
import type { CollectorContext } from "../context.ts";
import { formatInstant } from "../domain/index.ts";
import { ageBucket, dueState, HAZARD_STATUS_ZH, type Hazard, type Round } from "../domain/inspections/index.ts";
import type { InspectionService, Suggestion } from "../inspections/service.ts";

export const DUE_STATE_ZH = { due: "待完成", overdue: "已超时", done_on_time: "按时完成", done_late: "超时完成" } as const;

export async function presentRound(
  r: Round,
  _svc: InspectionService,
  ctx: Pick<CollectorContext, "faults" | "policy">,
  now: number,
  suggestions: Record<string, Suggestion> = {},
) {
  const tz = ctx.policy.timezone;
  const iso = (t: number | undefined) => (t === undefined ? undefined : formatInstant(t, tz));
  const state = dueState(r, now);
  // A round's faults may be archived long since: read from the store then.
  const faultOf = await ctx.faults.faultsById(r.faults.map((f) => f.faultId));
  return {
    id: r.id,
    key: r.key,
    template: r.templateId,
    title: r.title,
    titleEn: r.titleEn,
    status: r.status,
    state,
    state_zh: DUE_STATE_ZH[state],
    firedAt: iso(r.firedAt),
    dueAt: iso(r.dueAt),
    claimedBy: r.claimedBy,
    assignee: r.assignee,
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    completedBy: r.completedBy,
    stops: r.stops.map((s) => {
      const c = r.checkins[s.id];
      return {
        id: s.id,
        title: s.title,
        titleEn: s.titleEn,
        zone: s.zone,
        device: s.device,
        checkedIn: c ? { at: iso(c.at), by: c.by, via: c.via } : undefined,
        items: s.items.map((i) => {
          const a = r.answers[`${s.id}/${i.id}`];
          const offer = suggestions[`${s.id}/${i.id}`];
          return {
            ...i,
            suggested: offer ? { ...offer, at: iso(offer.at) } : undefined,
            answer: a ? { value: a.value, at: iso(a.at), by: a.by, prefilled: a.prefilled, abnormal: a.abnormal } : undefined,
          };
        }),
        photos: r.photos.filter((p) => p.stopId === s.id).map((p) => ({ sha256: p.hash, item: p.itemId, at: iso(p.at), by: p.by })),
      };
    }),
    faults: r.faults.map((f) => {
      const fault = faultOf.get(f.faultId);
      return {
        id: f.faultId,
        stop: f.stopId,
        item: f.itemId,
        at: iso(f.at),
        photos: f.photos,
        status: fault?.status,
        class: fault?.class,
        title: fault?.title,
      };
    }),
    annotations: r.annotations.map((a) => ({ ...a, at: iso(a.at) })),
  };
}

export function presentHazard(h: Hazard, tz: string, now: number) {
  const step = (s: Hazard["reported"] | undefined) => (s ? { ...s, at: formatInstant(s.at, tz) } : undefined);
  return {
    id: h.id,
    title: h.title,
    location: h.location,
    description: h.description,
    roundId: h.roundId,
    status: h.status,
    status_zh: HAZARD_STATUS_ZH[h.status],
    age: h.status === "closed" ? undefined : ageBucket(h, now),
    ageSeconds: Math.floor(((h.closedStep?.at ?? now) - h.reported.at) / 1000),
    reported: step(h.reported),
    fixStarted: step(h.fixStarted),
    fixed: step(h.fixed),
    rejected: h.rejected.map(step),
    checked: step(h.checked),
    closed: step(h.closedStep),
  };
}
