import { z } from "zod";
import { secret } from "../../../common/config/schema.ts";

export const sipOptionsSchema = z
  .strictObject({
    transport: z.enum(["udp", "tcp", "tls"]).default("udp"),
    /** Request-URI; default sip:HOST:PORT of the device address. */
    uri: z.string().regex(/^sips?:/, "expected a SIP URI such as sip:trunk.example.net:5060").optional(),
    /** From user part. */
    fromUser: z.string().default("watchfloor"),
    /** Digest credentials, used only when the peer challenges (401/407). */
    username: z.string().optional(),
    password: secret.optional(),
    /** The whole OPTIONS transaction (challenge round included). */
    timeoutMs: z.number().int().min(100).default(2000),
    /** UDP retransmission interval T1 (RFC 3261 Timer A; doubles each time). */
    retransmitMs: z.number().int().min(50).default(500),
    /** Final statuses that count as success; default any 2xx. */
    expectStatus: z.array(z.number().int().min(100).max(699)).min(1).optional(),
    tls: z
      .strictObject({
        ca: z.string().optional(),
        insecure: z.boolean().default(false),
        /** Name to verify the certificate against (SNI); default the address host. */
        servername: z.string().optional(),
      })
      .default({ insecure: false }),
  })
  .superRefine((o, ctx) => {
    if ((o.username === undefined) !== (o.password === undefined))
      ctx.addIssue({ code: "custom", path: ["password"], message: "digest authentication needs both username and password" });
  });
export type SipOptions = z.infer<typeof sipOptionsSchema>;

export const SIP_FIELDS = ["success", "duration", "status", "answered"] as const;
export type SipField = (typeof SIP_FIELDS)[number];
