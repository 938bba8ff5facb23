/**
 * The notifications file (collector.notifications): people, channels, the monthly on-call roster,
 * escalation policies per fault class, emergency plans per condition, grouping and the ack link.
 * One zod schema gives both the type and the error text (file:line, YAML path).
 */
import { z } from "zod";
import { rawList, rawMapping } from "../../common/config/load.ts";
import { didYouMean } from "../../common/config/nearest.ts";
import { durationSeconds, secret } from "../../common/config/schema.ts";

const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected an id of letters, digits, '.', '_' or '-'");

/** Delivery behaviour shared by every channel: attempts on this channel before falling back to the next. */
const delivery = {
  id,
  /** Attempts on this channel before the page falls back to the person's next channel. */
  attempts: z.number().int().min(1).max(20).default(3),
  /** First retry delay; doubles per attempt (capped at 10 × backoff). */
  backoff: durationSeconds.default(5),
  /** One request's time limit. */
  timeout: durationSeconds.default(10),
};

export const channelSchema = z.discriminatedUnion("type", [
  /** Generic JSON webhook: POSTs {kind, title, text, ackUrl, person, faults[]}. */
  z.strictObject({
    ...delivery,
    type: z.literal("webhook"),
    url: secret,
    headers: z.record(z.string(), secret).default({}),
  }),
  /** WeCom (企业微信) group robot: the webhook URL carries the key, so it is a secret. */
  z.strictObject({ ...delivery, type: z.literal("wecom"), url: secret }),
  /** DingTalk (钉钉) custom robot; `sign` is the 加签 secret (SEC…), when the robot has one. */
  z.strictObject({ ...delivery, type: z.literal("dingtalk"), url: secret, sign: secret.optional() }),
  /** Feishu (飞书) custom bot; `sign` is the 签名校验 secret, when the bot has one. */
  z.strictObject({ ...delivery, type: z.literal("feishu"), url: secret, sign: secret.optional() }),
  /**
   * SMS gateway over HTTP. `body` is a template: {{mobile}}, {{text}}, {{title}} are replaced, escaped
   * for the content type (JSON string content, or URL-encoded for a form).
   */
  z.strictObject({
    ...delivery,
    type: z.literal("sms"),
    url: secret,
    method: z.enum(["POST", "PUT"]).default("POST"),
    contentType: z
      .enum(["application/json", "application/x-www-form-urlencoded"])
      .default("application/json"),
    headers: z.record(z.string(), secret).default({}),
    body: z.string().min(1),
    /** A regular expression the gateway's reply body must match to count as accepted (HTTP 2xx is always required). */
    accept: z.string().optional(),
  }),
  /** E-mail over SMTP (nodemailer). */
  z.strictObject({
    ...delivery,
    type: z.literal("email"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (465); false: STARTTLS when offered. */
    secure: z.boolean().default(false),
    user: z.string().optional(),
    password: secret.optional(),
    from: z.string().min(3),
  }),
]);
export type ChannelConfig = z.infer<typeof channelSchema>;

export const personSchema = z.strictObject({
  id,
  name: z.string().min(1),
  mobile: z
    .string()
    .regex(/^\+?\d{5,15}$/, "expected a phone number of digits")
    .optional(),
  email: z.email().optional(),
  /** Channel ids in order of preference: a page that cannot be delivered on one falls back to the next. */
  channels: z.array(id).min(1),
});
export type Person = z.infer<typeof personSchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM, e.g. 08:30");
const instant = z.iso.datetime({ offset: true });

export const rosterSchema = z.strictObject({
  /** Roles paged by name in the policies (e.g. oncall, lead, manager). */
  roles: z.array(id).min(1),
  /** Wall-clock time (site zone) at which one duty day hands over to the next. */
  handover: hhmm.default("08:30"),
  /**
   * The schedule handed to the client each month: per role, a list of person ids taken in turn, one
   * per duty day from the 1st (a single id: that person all month; as many ids as days: day by day).
   */
  months: z
    .array(
      z.strictObject({
        month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected YYYY-MM"),
        duty: z.record(id, z.array(id).min(1)),
      }),
    )
    .default([]),
  /**
   * Days before a month's first duty day from which its schedule must be in the file: if it is not (or a
   * role has nobody), the collector raises `roster.missing` for that month so it is uploaded in time.
   */
  leadDays: z.number().int().min(0).max(27).default(7),
  /** Swaps and cover: this person holds the role from `from` until `to` (ISO 8601 with offset). */
  overrides: z
    .array(
      z.strictObject({ role: id, person: id, from: instant, to: instant, reason: z.string().optional() }),
    )
    .default([]),
});
export type Roster = z.infer<typeof rosterSchema>;

/** Who a step pages: role names from the roster, or person ids. */
const targets = z.array(id).min(1);

const stepSchema = z.strictObject({
  /** Time after the fault opened. */
  after: durationSeconds,
  notify: targets,
  /** Page the same targets again every `every`, `times` more times, while nobody has acknowledged. */
  repeat: z
    .strictObject({
      every: durationSeconds.refine((s) => s > 0, "must be more than 0"),
      times: z.number().int().min(1),
    })
    .optional(),
});

export const classPolicySchema = z.strictObject({
  /** Escalation: runs from the fault's open time and stops once it is acknowledged or resolved. */
  steps: z.array(stepSchema).default([]),
  /** Reminders at these fractions of each deadline still pending (e.g. 0.5, 0.8). */
  reminders: z.array(z.number().gt(0).lt(1)).default([]),
  remind: targets.default(["oncall"]),
  /** Paged at the instant a deadline is breached. */
  breach: targets.default(["oncall"]),
  /** Told when a paged fault resolves (empty: nobody). */
  resolved: z.array(id).default([]),
});
export type ClassPolicy = z.infer<typeof classPolicySchema>;

export const notificationsSchema = z
  .strictObject({
    /** The acknowledge link in pages: an HMAC-signed token that expires. */
    ack: z.strictObject({ secret, ttl: durationSeconds.default(24 * 3600) }),
    /** Pages due within this time of each other, for faults of one condition, go out as one page. */
    grouping: z.strictObject({ wait: durationSeconds.default(0) }).prefault({}),
    channels: z.array(channelSchema).min(1),
    people: z.array(personSchema).min(1),
    roster: rosterSchema,
    /**
     * Person ids paged when a role of a step has nobody (the month is missing from the roster, or the
     * role has no one that month): a page never goes to nobody. Typically the duty room's group robot.
     */
    fallback: z.array(id).default([]),
    policies: z.strictObject({
      major: classPolicySchema.prefault({}),
      severe: classPolicySchema.prefault({}),
      general: classPolicySchema.prefault({}),
    }),
    /** 应急预案: the emergency plan quoted in pages for conditions matching `condition` (exact or glob "ups.*"). */
    runbooks: z
      .array(
        z.strictObject({ condition: z.string().min(1), title: z.string().min(1), url: z.url().optional() }),
      )
      .default([]),
  })
  // Runs even when other parts of the file failed (`when`), so every error shows in one pass; the value
  // may then be partly raw, hence rawList/rawMapping and the type guards.
  .superRefine(
    (cfg, ctx) => {
      const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
      const channels = rawList(cfg.channels);
      const people = rawList(cfg.people);
      const roster = rawMapping(cfg.roster);
      const channelIds = new Set(channels.map((c) => c.id));
      const personIds = new Set(people.map((p) => p.id));
      const roles = new Set(strings(roster.roles));
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
      people.forEach((p, i) => {
        strings(p.channels).forEach((c, j) => {
          if (!channelIds.has(c))
            issue(["people", i, "channels", j], `unknown channel ${c}${didYouMean(c, [...channelIds].map(String))} (channels: ${[...channelIds].join(", ")})`);
          const type = channels.find((ch) => ch.id === c)?.type;
          if (type === "sms" && !p.mobile) issue(["people", i, "mobile"], `channel ${c} sends SMS, so ${p.id} needs a mobile`);
          if (type === "email" && !p.email) issue(["people", i, "email"], `channel ${c} sends e-mail, so ${p.id} needs an email`);
        });
      });
      rawList(roster.months).forEach((m, i) => {
        for (const [role, ids] of Object.entries(rawMapping(m.duty))) {
          if (!roles.has(role))
            issue(["roster", "months", i, "duty", role], `unknown role ${role}${didYouMean(role, roles)}; declare it in roster.roles`);
          strings(ids).forEach((p, j) => {
            if (!personIds.has(p)) issue(["roster", "months", i, "duty", role, j], `unknown person ${p}`);
          });
        }
      });
      strings(cfg.fallback).forEach((p, j) => {
        if (!personIds.has(p)) issue(["fallback", j], `unknown person ${p}${didYouMean(p, [...personIds].map(String))}`);
      });
      rawList(roster.overrides).forEach((o, i) => {
        if (typeof o.role === "string" && !roles.has(o.role)) issue(["roster", "overrides", i, "role"], `unknown role ${o.role}`);
        if (typeof o.person === "string" && !personIds.has(o.person)) issue(["roster", "overrides", i, "person"], `unknown person ${o.person}`);
        if (typeof o.from === "string" && typeof o.to === "string" && Date.parse(o.to) <= Date.parse(o.from))
          issue(["roster", "overrides", i, "to"], "must be after from");
      });
      const policies = rawMapping(cfg.policies);
      for (const cls of ["major", "severe", "general"] as const) {
        const p = rawMapping(policies[cls]);
        const check = (list: unknown, path: (string | number)[]) =>
          strings(list).forEach((t, j) => {
            if (!roles.has(t) && !personIds.has(t)) issue([...path, j], `unknown role or person ${t}`);
          });
        rawList(p.steps).forEach((s, i) => {
          check(s.notify, ["policies", cls, "steps", i, "notify"]);
        });
        check(p.remind, ["policies", cls, "remind"]);
        check(p.breach, ["policies", cls, "breach"]);
        check(p.resolved, ["policies", cls, "resolved"]);
      }
    },
    { when: () => true },
  );
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
