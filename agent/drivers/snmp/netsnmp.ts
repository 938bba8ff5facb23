import { createRequire } from "node:module";
import { installFastOidCodec } from "./ber-oid.ts";

/** The part of net-snmp (CommonJS, no typings) the driver and trap receiver use, typed here once. */
export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

export interface SnmpSession {
  get(oids: string[], cb: (err: Error | null, varbinds?: Varbind[]) => void): void;
  getNext(oids: string[], cb: (err: Error | null, varbinds?: Varbind[]) => void): void;
  getBulk(
    oids: string[],
    nonRepeaters: number,
    maxRepetitions: number,
    cb: (err: Error | null, varbinds?: (Varbind | Varbind[])[]) => void,
  ): void;
  close(): void;
  on(event: "error", listener: (err: Error) => void): void;
}

export interface SnmpUser {
  name: string;
  level: number;
  authProtocol?: number;
  authKey?: string;
  privProtocol?: number;
  privKey?: string;
}

export interface SnmpReceiver {
  getAuthorizer(): {
    addCommunity(c: string): void;
    addUser(u: SnmpUser): void;
  };
  close(cb?: () => void): void;
}

export interface TrapNotification {
  pdu: { type: number; varbinds: Varbind[]; enterprise?: string; generic?: number; specific?: number };
  rinfo: { address: string; port: number };
  /** Present when the receiver was created with includeAuthentication. */
  pdu_auth?: unknown;
  community?: string;
  user?: { name: string };
}

interface NetSnmp {
  createSession(target: string, community: string, options: object): SnmpSession;
  createV3Session(target: string, user: SnmpUser, options: object): SnmpSession;
  createReceiver(
    options: object,
    cb: (err: Error | null, notification?: TrapNotification & Record<string, unknown>) => void,
  ): SnmpReceiver;
  isVarbindError(v: Varbind): boolean;
  varbindError(v: Varbind): string;
  Version1: number;
  Version2c: number;
  Version3: number;
  ObjectType: Record<string, number>;
  PduType: Record<string, number>;
  ErrorStatus: Record<string, number>;
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
}

export const snmp = createRequire(import.meta.url)("net-snmp") as NetSnmp;
installFastOidCodec();

/** Errors net-snmp hands to callbacks carry their class in `name`. */
export function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === "RequestTimedOutError";
}

/** An error-status reply (tooBig, noSuchName, genErr …): its status code and the OID at fault, if named. */
export function errorStatus(err: unknown): { status: number; oid?: string } | undefined {
  if (!(err instanceof Error) || err.name !== "RequestFailedError") return undefined;
  const e = err as Error & { status?: number };
  const oid = /: ([0-9.]+)$/.exec(e.message)?.[1];
  return { status: e.status ?? 5, ...(oid ? { oid } : {}) };
}
