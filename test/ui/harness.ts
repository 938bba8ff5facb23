/** A collector for web UI tests: one user per role, a form login, and fault helpers (inject(), no network). */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { Accounts } from "../../collector/store/accounts.ts";
import { DEFAULT_RULES, type Inventory, type Policy, policySchema } from "../../collector/domain/index.ts";
import type { Template } from "../../collector/domain/inspections/index.ts";
import type { Role } from "../../collector/store/store.ts";
import type { LiveReadings } from "../../collector/inspections/live-readings.ts";
import { type Clock, ManualClock } from "../../common/clock.ts";
import { shippedTemplates } from "../fixtures/templates.ts";
import { AGENT_TOKEN } from "../collector/harness.ts";
import { AGENT_TOKEN as PAGING_AGENT_TOKEN } from "../paging/harness.ts";
import { testCollector } from "../collector/harness.ts";
import { notifications, pagingCollector } from "../paging/harness.ts";

export const NAMES: Record<Role, string> = {
  engineer: "li.gong",
  facility_manager: "wang.jingli",
  client_auditor: "jiafang",
  admin: "root",
};

/** The site the UI tests watch: names and zones as a site file gives them. */
export const SITE: Inventory = {
  devices: {
    "sw-core-1": {
      id: "sw-core-1",
      class: "network",
      zone: "server-room",
      zoneName: "机房",
      name: "核心交换机-1",
      criticality: "high",
      dependsOn: [],
    },
    "sw-floor-1": {
      id: "sw-floor-1",
      class: "network",
      zone: "floor",
      zoneName: "坐席区",
      name: "坐席区接入交换机-1",
      criticality: "medium",
      dependsOn: ["sw-core-1"],
    },
    "ups-1": { id: "ups-1", class: "ups", zone: "server-room", zoneName: "机房", name: "机房 UPS-1", criticality: "high", dependsOn: [] },
  },
};

/** A core switch's port down is major (its own rule first), the contract's defaults after it. */
export const SITE_POLICY: Policy = policySchema.parse({
  classification: { rules: [{ match: { condition: "if.down", criticality: "high" }, class: "major" }, ...DEFAULT_RULES] },
});

/** With `roster`, paging is configured (张伟 on call); without, the board says there is no roster. */
export async function uiCollector(
  opts: {
    roster?: boolean;
    site?: boolean;
    dbFile?: string;
    templates?: Template[];
    clock?: ManualClock | Clock;
    liveReadings?: LiveReadings;
    /** collector.ingest, for a collector with a roster (e.g. to take events older than 30 d at their own time). */
    ingest?: { maxEventAgeSeconds?: string };
  } = {},
) {
  const site = opts.site ? { inventory: SITE, policy: SITE_POLICY } : {};
  const file = {
    ...(opts.dbFile ? { dbFile: opts.dbFile } : {}),
    ...(opts.templates ? { templates: opts.templates } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.liveReadings ? { liveReadings: opts.liveReadings } : {}),
  };
  const h = opts.roster
    ? await pagingCollector({
        notifications: notifications({ hook: "http://127.0.0.1:9/hook" }, {}),
        ...site,
        ...file,
        ...(opts.ingest ? { ingest: opts.ingest } : {}),
      })
    : await testCollector({ ...site, ...file });
  const { app, store, clock } = h;
  const tokens = {} as Record<Role, string>;
  for (const role of Object.keys(NAMES) as Role[])
    tokens[role] = await store.addUser(NAMES[role], role, clock.now());
  return {
    app,
    agentToken: opts.roster ? PAGING_AGENT_TOKEN : AGENT_TOKEN,
    ctx: h.ctx,
    clock: clock as { now(): number; set(ms: number): void },
    tokens,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** Posts the login form; answers the response and, on success, the cookie and the page's CSRF token. */
export async function login(app: FastifyInstance, token: string) {
  const res = await app.inject({
    method: "POST",
    url: "/ui/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ token }).toString(),
  });
  const setCookie = [res.headers["set-cookie"] ?? []].flat();
  const session = setCookie.find((c) => c.startsWith("wf_session="));
  const cookie = session?.split(";")[0] ?? "";
  let csrf = "";
  if (session) {
    const board = await app.inject({ method: "GET", url: "/ui", headers: { cookie } });
    csrf = /name="_csrf" value="([^"]+)"/.exec(board.body)?.[1] ?? "";
  }
  return { res, session, cookie, csrf };
}

export async function getPage(app: FastifyInstance, url: string, cookie?: string) {
  return app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
}

export async function postForm(
  app: FastifyInstance,
  url: string,
  cookie: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: "POST",
    url,
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** Opens a fault by hand through the API, as the engineer; answers its id. */
export async function openFault(
  app: FastifyInstance,
  token: string,
  body: { device: string; class: "major" | "severe" | "general"; title: string },
): Promise<string> {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/faults",
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`open fault ${res.statusCode}: ${res.body}`);
  return (res.json() as { fault: { id: string } }).fault.id;
}

/** The text a person reads: tags dropped, the escaper's entities decoded, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

let eventSeq = 0;

/** A condition event from the agent, as the agent sends it (device-side time). */
export async function sendCondition(
  h: { app: FastifyInstance; agentToken: string },
  e: { device: string; condition: string; labels?: Record<string, string>; state?: "firing" | "clear"; observedAt: string },
) {
  eventSeq += 1;
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/events",
    headers: { authorization: `Bearer ${h.agentToken}` },
    payload: {
      agent: "agent-1",
      events: [{ id: `agent-1-ui-${eventSeq}-${Date.now()}`, type: "condition", state: "firing", ...e }],
    },
  });
  if (res.statusCode !== 200) throw new Error(`event ${res.statusCode}: ${res.body}`);
}

/** The browser tests' start: every user gets `password`, the collector listens on loopback; its base URL. */
export async function listenForBrowser(h: { app: FastifyInstance; ctx: { store: { db: ConstructorParameters<typeof Accounts>[0] } } }, password: string) {
  const accounts = new Accounts(h.ctx.store.db);
  for (const name of Object.values(NAMES)) await accounts.setPassword(name, password);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

/** A collector whose daily server-room round fired at 09:00 on 2026-11-25, seen at 09:05; its id. */
export async function collectorWithRound(opts: { roster?: boolean } = {}) {
  const clock = new ManualClock(Date.parse("2026-11-25T08:00:00+08:00"));
  const h = await uiCollector({ ...opts, site: true, templates: shippedTemplates(["daily-server-room"]), clock });
  clock.set(Date.parse("2026-11-25T09:05:00+08:00"));
  const roundId = (await h.ctx.inspections.tick()).created[0]!.id;
  return { h, roundId };
}
