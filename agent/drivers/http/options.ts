import { z } from "zod";
import { regexText } from "../../../common/config/regex.ts";
import { secret } from "../../../common/config/schema.ts";

const regex = regexText();

export const httpOptionsSchema = z.strictObject({
  method: z.enum(["GET", "HEAD", "POST"]).default("GET"),
  /** Request headers; values are secrets (an Authorization header never prints). */
  headers: z.record(z.string(), secret).default({}),
  body: z.string().optional(),
  /** Status codes that count as success; default any 2xx. */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  /** The body must match this regular expression. */
  text: regex.optional(),
  /** The body is JSON and the value at `path` (dotted, with [n] for arrays: data.items[0].state) equals or matches. */
  json: z
    .strictObject({
      path: z.string().min(1),
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      matches: regex.optional(),
    })
    .refine((j) => j.equals !== undefined || j.matches !== undefined, "json needs `equals` or `matches`")
    .optional(),
  /** The whole request (connect, TLS, headers, body). */
  timeoutMs: z.number().int().min(50).default(5000),
  tls: z
    .strictObject({
      /** A CA file (PEM) to trust besides the system's, e.g. the site's own CA. */
      ca: z.string().optional(),
      /** Accept a certificate that does not verify (its days left are still read). */
      insecure: z.boolean().default(false),
    })
    .default({ insecure: false }),
});
export type HttpOptions = z.infer<typeof httpOptionsSchema>;

export const HTTP_FIELDS = ["success", "duration", "status", "assertion", "cert_remaining"] as const;
export type HttpField = (typeof HTTP_FIELDS)[number];
