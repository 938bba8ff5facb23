import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { snmpOptionsSchema, snmpSourceSchema } from "./options.ts";
import { desUnavailable, parseTarget } from "./session.ts";

describe("snmp options", () => {
  it("fills defaults for v2c", () => {
    expect(snmpOptionsSchema.parse({})).toMatchObject({
      version: "2c",
      timeoutMs: 2000,
      retries: 1,
      maxRepetitions: 25,
    });
  });

  it("derives the v3 level from the keys and never prints them", () => {
    const o = snmpOptionsSchema.parse({
      version: "3",
      v3: {
        user: "u",
        authProtocol: "sha256",
        authKey: "authsecret1",
        privProtocol: "aes",
        privKey: "privsecret1",
      },
    });
    expect(o.v3?.level).toBe("authPriv");
    expect(JSON.stringify(o) + inspect(o)).not.toMatch(/authsecret1|privsecret1/);
  });

  it.each([
    [{ version: "3" }, "v3"],
    [{ version: "3", v3: { user: "u", authKey: "authsecret1" } }, "authProtocol"],
    [
      { version: "3", v3: { user: "u", level: "authPriv", authProtocol: "md5", authKey: "authsecret1" } },
      "privProtocol",
    ],
    [{ version: "3", v3: { user: "u", authProtocol: "md5", authKey: "short" } }, "8 characters"],
    [{ version: "2c", v3: { user: "u" } }, "version"],
    [{ community: "x", maxRepetitions: 0 }, ""],
    [{ bogus: 1 }, ""],
  ])("rejects %j", (options, message) => {
    const res = snmpOptionsSchema.safeParse(options);
    expect(res.success).toBe(false);
    expect(JSON.stringify(res.error?.issues)).toContain(message);
  });
});

describe("snmp sources", () => {
  it("accepts scalars and tables, strips a leading dot", () => {
    expect(snmpSourceSchema.parse({ get: ".1.3.6.1.2.1.1.3.0" })).toEqual({ get: ["1.3.6.1.2.1.1.3.0"] });
    expect(
      snmpSourceSchema.parse({ walk: "1.3.6.1.2.1.2.2.1.8", labels: { ifname: "index" } }),
    ).toMatchObject({ labels: { ifname: ["index"] } });
  });
  it.each([
    [{ get: "sysUpTime.0" }],
    [{ walk: "1.3.6", where: { column: "1.3.6.1" } }],
    [{ get: "1.3.6", extra: 1 }],
  ])("rejects %j", (src) => {
    expect(snmpSourceSchema.safeParse(src).success).toBe(false);
  });
});

describe("transport", () => {
  it("parses host, host:port and [v6]:port", () => {
    expect(parseTarget("10.0.0.5")).toEqual({ host: "10.0.0.5", port: 161 });
    expect(parseTarget("10.0.0.5:1161")).toEqual({ host: "10.0.0.5", port: 1161 });
    expect(parseTarget("[::1]:1161")).toEqual({ host: "::1", port: 1161 });
  });
  it("knows whether DES is usable in this process", () => {
    const legacy =
      process.execArgv.includes("--openssl-legacy-provider") ||
      (process.env.NODE_OPTIONS ?? "").includes("--openssl-legacy-provider");
    if (legacy) expect(desUnavailable()).toBeUndefined();
    else expect(desUnavailable()).toMatch(/NODE_OPTIONS=--openssl-legacy-provider/);
  });
});
