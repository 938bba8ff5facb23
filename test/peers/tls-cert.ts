import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../harness/process.ts";

/** Why the TLS tests cannot run here (Debian's openssl makes their certificates), or undefined. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "openssl is not installed (Debian package openssl)";
  }
}

export interface TestCert {
  key: Buffer;
  cert: Buffer;
  certFile: string;
  /** notAfter as openssl itself prints it (the expected value, independent of the code under test). */
  notAfter: number;
}

/** A self-signed certificate for 127.0.0.1 valid for `days`, made by Debian's openssl. */
export function makeCert(days: number): TestCert {
  const dir = tempDir("wf-cert-");
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile],
    ...["-days", String(days), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
  ], { stdio: "ignore" });
  const end = execFileSync("openssl", ["x509", "-enddate", "-noout", "-in", certFile]).toString();
  const notAfter = Date.parse(end.replace(/^notAfter=/, "").trim());
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile, notAfter };
}
