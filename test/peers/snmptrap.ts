import { execFile, execFileSync } from "node:child_process";
import { V3_USER } from "./snmpd.ts";

export function snmptrapMissing(): string | undefined {
  try {
    execFileSync("sh", ["-c", "command -v snmptrap"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "snmptrap is not installed (Debian package snmp)";
  }
}

/** Debian's snmptrap, as the tests send traps with it. */
export function snmptrap(args: string[]): Promise<void> {
  return new Promise((done, fail) =>
    execFile("snmptrap", args, (err, _o, stderr) =>
      err ? fail(new Error(`${err.message} ${stderr}`)) : done(),
    ),
  );
}

/** UPS-MIB upsTrapOnBattery (v2c), with upsSecondsOnBattery. */
export function upsOnBatteryTrapV2c(port: number, community: string): Promise<void> {
  return snmptrap([
    "-v2c",
    "-c",
    community,
    `127.0.0.1:${port}`,
    "",
    "1.3.6.1.2.1.33.2.1",
    "1.3.6.1.2.1.33.1.2.2.0",
    "i",
    "12",
  ]);
}

/**
 * IF-MIB linkDown (v3 authPriv, SHA + AES, the test user) for one interface, with its ifName; a
 * different authKey sends one the receiver must refuse.
 */
export function linkDownTrapV3(
  port: number,
  ifIndex: number,
  ifName: string,
  authKey = V3_USER.authKey,
): Promise<void> {
  return snmptrap([
    ...[
      "-v3",
      "-u",
      V3_USER.user,
      "-l",
      "authPriv",
      "-a",
      "SHA",
      "-A",
      authKey,
      "-x",
      "AES",
      "-X",
      V3_USER.privKey,
    ],
    ...["-e", "0x8000000001020304", `127.0.0.1:${port}`, "", "1.3.6.1.6.3.1.1.5.3"],
    ...[
      `1.3.6.1.2.1.2.2.1.1.${ifIndex}`,
      "i",
      String(ifIndex),
      `1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`,
      "s",
      ifName,
    ],
  ]);
}

/** IF-MIB linkDown (v2c) for one interface, with ifIndex, ifAdminStatus up, ifOperStatus down and ifName. */
/**
 * A v2c linkDown. Without `ifName` it carries only RFC 2863's own varbinds (ifIndex, ifAdminStatus,
 * ifOperStatus), as many switches send it.
 */
export function linkDownTrapV2c(port: number, community: string, ifIndex: number, ifName?: string): Promise<void> {
  return snmptrap([
    ...["-v2c", "-c", community, `127.0.0.1:${port}`, "", "1.3.6.1.6.3.1.1.5.3"],
    ...[`1.3.6.1.2.1.2.2.1.1.${ifIndex}`, "i", String(ifIndex)],
    ...[`1.3.6.1.2.1.2.2.1.7.${ifIndex}`, "i", "1", `1.3.6.1.2.1.2.2.1.8.${ifIndex}`, "i", "2"],
    ...(ifName === undefined ? [] : [`1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`, "s", ifName]),
  ]);
}
