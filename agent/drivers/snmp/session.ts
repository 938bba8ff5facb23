import { createCipheriv } from "node:crypto";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { DeviceUnreachableError } from "../types.ts";
import { errorStatus, isTimeout, type SnmpSession, snmp, type Varbind } from "./netsnmp.ts";
import type { SnmpOptions } from "./options.ts";
import { BulkError } from "./walk.ts";

const TOO_BIG = 1;
const NO_SUCH_NAME = 2;

export function parseTarget(address: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  if (!m) return { host: address, port: 161 };
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : 161 };
}

/**
 * Node 20's OpenSSL 3 keeps DES in the legacy provider, off by default: without it net-snmp fails deep
 * inside crypto with "digital envelope routines::unsupported". Say what to do instead.
 */
export function desUnavailable(): string | undefined {
  try {
    createCipheriv("des-cbc", Buffer.alloc(8), Buffer.alloc(8));
    return undefined;
  } catch {
    return "privProtocol des needs OpenSSL's legacy provider, which Node 20 does not load by default: start the agent with NODE_OPTIONS=--openssl-legacy-provider (see agent/drivers/snmp/README.md), or switch the device to AES";
  }
}

export function openNetSnmp(device: DeviceConfig, o: SnmpOptions): SnmpSession {
  const { host, port } = parseTarget(device.address);
  const common = { port, timeout: o.timeoutMs, retries: o.retries, backwardsGetNexts: true, idBitsSize: 32 };
  if (o.version === "3" && o.v3) {
    const v3 = o.v3;
    if (v3.privProtocol === "des" && v3.level === "authPriv") {
      const why = desUnavailable();
      if (why) throw new DeviceUnreachableError(why);
    }
    const user = {
      name: v3.user,
      level: snmp.SecurityLevel[v3.level]!,
      ...(v3.level !== "noAuthNoPriv" && v3.authProtocol
        ? { authProtocol: snmp.AuthProtocols[v3.authProtocol], authKey: v3.authKey?.reveal() }
        : {}),
      ...(v3.level === "authPriv" && v3.privProtocol
        ? { privProtocol: snmp.PrivProtocols[v3.privProtocol], privKey: v3.privKey?.reveal() }
        : {}),
    };
    return snmp.createV3Session(host, user, { ...common, version: snmp.Version3, context: v3.context });
  }
  const community = o.community?.reveal() ?? "public";
  return snmp.createSession(host, community, {
    ...common,
    version: o.version === "1" ? snmp.Version1 : snmp.Version2c,
  });
}

/**
 * One request to the device, with net-snmp's errors sorted: a lost reply, tooBig, and everything that
 * means "this device will not talk to us" (v3 authentication, garbage) as DeviceUnreachableError.
 */
export class Requester {
  /** Whether the device answered anything this poll (a later lost reply may then be an oversized one). */
  answered = false;
  /** The last reply net-snmp could not parse, reported if the device never answers properly. */
  garbage?: string;

  constructor(
    private session: SnmpSession,
    private device: DeviceConfig,
    private o: SnmpOptions,
  ) {
    // Without a listener, an unparsable datagram would be an uncaught "error" event and end the agent.
    session.on("error", (err) => {
      this.garbage = err.message;
    });
  }

  beginPoll(): void {
    this.answered = false;
    this.garbage = undefined;
  }

  private fail(err: Error, what: string): Error {
    if (isTimeout(err)) {
      const tries = this.o.retries + 1;
      const base = `no answer to ${what} within ${this.o.timeoutMs} ms (${tries} ${tries === 1 ? "try" : "tries"})`;
      // A v3 agent drops what it cannot decrypt without a word: say so, or a wrong privKey looks like a dead device.
      const hint =
        this.o.v3?.level === "authPriv"
          ? ` (SNMPv3 user ${this.o.v3.user}: a wrong privProtocol/privKey also looks like this)`
          : "";
      const detail = this.garbage
        ? `${base}; replies that did arrive could not be parsed: ${this.garbage}`
        : base + hint;
      return this.answered
        ? new BulkError("timeout", detail)
        : new DeviceUnreachableError(`${this.device.address}: ${detail}`);
    }
    const status = errorStatus(err);
    if (status?.status === TOO_BIG) return new BulkError("tooBig", `tooBig answering ${what}`);
    if (status) return err;
    if (err.name === "ResponseInvalidError") {
      const v3 = this.o.v3
        ? ` (SNMPv3 user ${this.o.v3.user}: check authProtocol/authKey/privProtocol/privKey)`
        : "";
      return new DeviceUnreachableError(
        `${this.device.address}: invalid reply to ${what}: ${err.message}${v3}`,
      );
    }
    return new DeviceUnreachableError(`${this.device.address}: ${err.message}`);
  }

  get(oids: string[]): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      this.session.get(oids, (err, vbs) => {
        if (err) return reject(this.fail(err, `GET of ${oids.length} OID(s)`));
        this.answered = true;
        resolve(vbs ?? []);
      });
    });
  }

  /**
   * GetBulk (GetNext one OID at a time on v1): successors of each OID, one list per OID. The first
   * `nonRepeaters` OIDs get one successor each (v2c/v3 only).
   */
  async bulk(oids: string[], reps: number, nonRepeaters = 0): Promise<Varbind[][]> {
    if (this.o.version === "1") {
      const out: Varbind[][] = [];
      for (const oid of oids) out.push(await this.next(oid));
      return out;
    }
    return new Promise((resolve, reject) => {
      this.session.getBulk(oids, nonRepeaters, reps, (err, vbs) => {
        if (err) return reject(this.fail(err, `GetBulk of ${oids.length} column(s) × ${reps}`));
        this.answered = true;
        resolve((vbs ?? []).map((v) => (Array.isArray(v) ? v : [v])));
      });
    });
  }

  private next(oid: string): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      this.session.getNext([oid], (err, vbs) => {
        // v1 ends a walk at the end of the MIB with noSuchName.
        if (err && errorStatus(err)?.status === NO_SUCH_NAME) return resolve([]);
        if (err) return reject(this.fail(err, `GetNext of ${oid}`));
        this.answered = true;
        resolve(vbs ?? []);
      });
    });
  }
}

export { NO_SUCH_NAME, TOO_BIG };
