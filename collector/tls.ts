import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ConfigError, Locate } from "../common/config/load.ts";
import { Secret } from "../common/config/secret.ts";

/** The collector's HTTPS identity, read at load: the certificate chain and its private key (a Secret). */
export interface CollectorTls {
  cert: string;
  key: Secret;
  /** When the (first) certificate stops being valid, for the start-up log line. */
  validTo: string;
}

/**
 * Reads collector.tls.cert / .key (relative to the config file) and checks them the way a client
 * would notice too late: PEM that parses, a key that belongs to the certificate.
 */
export function loadCollectorTls(
  file: string,
  tls: { cert: string; key: string },
  locate: Locate,
): { tls?: CollectorTls; errors: ConfigError[] } {
  const at = (key: "cert" | "key", message: string): ConfigError => ({
    file,
    path: `collector.tls.${key}`,
    ...locate(["collector", "tls", key]),
    message,
  });
  const read = (key: "cert" | "key"): string | ConfigError => {
    const path = resolve(dirname(file), tls[key]);
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      return at(key, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  };
  const cert = read("cert");
  const key = read("key");
  const errors = [cert, key].filter((x): x is ConfigError => typeof x !== "string");
  if (typeof cert !== "string" || typeof key !== "string") return { errors };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return { errors: [at("cert", `${tls.cert} is not a PEM certificate ("-----BEGIN CERTIFICATE-----")`)] };
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return {
      errors: [at("key", `${tls.key} is not an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----")`)],
    };
  }
  if (!x509.checkPrivateKey(privateKey))
    return { errors: [at("key", `${tls.key} is not the private key of the certificate in ${tls.cert}`)] };
  return { tls: { cert, key: new Secret(key), validTo: new Date(x509.validTo).toISOString() }, errors: [] };
}
