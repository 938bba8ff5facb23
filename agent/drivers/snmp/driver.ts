import type { DeviceConfig } from "../../../common/config/schema.ts";
import {
  DeviceUnreachableError,
  type Driver,
  type DriverContext,
  type DriverSession,
  type RawRead,
} from "../types.ts";
import { errorStatus, type SnmpSession, snmp, type Varbind } from "./netsnmp.ts";
import {
  type SnmpOptions,
  type SnmpSource,
  snmpOptionsSchema,
  snmpSourceSchema,
  type TableSource,
} from "./options.ts";
import { NO_SUCH_NAME, openNetSnmp, Requester } from "./session.ts";
import { type Columns, chosenColumn, helperColumns, isScalar, scalarRead, tableRead } from "./table.ts";
import { varbindValue } from "./values.ts";
import { BulkError, type ColumnResult, walkColumns } from "./walk.ts";

type ScalarValues = Map<string, string | number | bigint | { missing: string }>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class SnmpDriverSession implements DriverSession<SnmpSource> {
  private net?: SnmpSession;
  private req?: Requester;

  constructor(
    private device: DeviceConfig,
    private o: SnmpOptions,
    private ctx: DriverContext,
  ) {}

  private requester(): Requester {
    if (!this.req) {
      this.net = openNetSnmp(this.device, this.o);
      this.req = new Requester(this.net, this.device, this.o);
    }
    return this.req;
  }

  async read(sources: readonly SnmpSource[], signal: AbortSignal): Promise<RawRead[]> {
    const req = this.requester();
    req.beginPoll();
    try {
      const values: ScalarValues = new Map();
      const scalars = [
        ...new Set(sources.filter(isScalar).flatMap((s) => (s.per ? [...s.get, s.per] : s.get))),
      ];
      for (const chunk of chunks(scalars, this.o.maxVarbinds)) {
        if (signal.aborted) throw new DeviceUnreachableError("poll cancelled (timeout)");
        await this.getScalars(req, chunk, values);
      }
      const tables = sources.filter((s): s is TableSource => !isScalar(s));
      const columns = await this.walkTables(req, tables, signal);
      this.ctx.logger.trace(
        { device: this.device.id, scalars: scalars.length, columns: columns.size },
        "snmp poll done",
      );
      return sources.map((s) => (isScalar(s) ? scalarRead(s, values) : tableRead(s, columns)));
    } catch (err) {
      if (err instanceof BulkError)
        throw new DeviceUnreachableError(`${this.device.address}: ${err.message}`);
      throw err;
    }
  }

  /** GET as many OIDs per request as the device takes: split on tooBig, drop v1's noSuchName OID. */
  private async getScalars(req: Requester, oids: string[], values: ScalarValues): Promise<void> {
    if (oids.length === 0) return;
    let vbs: Varbind[];
    try {
      vbs = await req.get(oids);
    } catch (err) {
      const status = errorStatus(err);
      const tooBig = err instanceof BulkError && err.kind === "tooBig";
      if (!tooBig && !status) throw err;
      if (status?.status === NO_SUCH_NAME && status.oid && oids.includes(status.oid)) {
        values.set(status.oid, { missing: "noSuchName" });
        return this.getScalars(
          req,
          oids.filter((o) => o !== status.oid),
          values,
        );
      }
      if (oids.length === 1) {
        values.set(oids[0]!, { missing: tooBig ? "tooBig" : (err as Error).message });
        return;
      }
      const half = Math.ceil(oids.length / 2);
      await this.getScalars(req, oids.slice(0, half), values);
      return this.getScalars(req, oids.slice(half), values);
    }
    oids.forEach((oid, i) => {
      const vb = vbs[i];
      if (!vb) values.set(oid, { missing: "absent from the reply" });
      else if (snmp.isVarbindError(vb))
        values.set(oid, { missing: snmp.varbindError(vb).replace(/:.*$/, "") });
      else values.set(oid, varbindValue(vb));
    });
  }

  /** Walks every column the tables need; a 64-bit column that gave no rows is followed by its 32-bit one. */
  private async walkTables(req: Requester, tables: TableSource[], signal: AbortSignal): Promise<Columns> {
    const columns = new Map<string, ColumnResult<{ value: string | number | bigint }>>();
    let round = [...new Set(tables.flatMap((t) => [t.walk[0]!, ...helperColumns(t)]))];
    const fetch = async (oids: string[], reps: number) =>
      (await req.bulk(oids, reps)).map((list) =>
        list.map((vb) => ({ oid: vb.oid, end: snmp.isVarbindError(vb), vb })),
      );
    while (round.length > 0) {
      const walked = await walkColumns(round, fetch, { ...this.o, answered: () => req.answered }, signal);
      for (const [column, res] of walked) {
        if (!res.ok) columns.set(column, res);
        else {
          const rows = new Map<string, { value: string | number | bigint }>();
          for (const [index, w] of res.rows) rows.set(index, { value: varbindValue(w.vb) });
          columns.set(column, { ok: true, rows });
        }
      }
      const next = new Set<string>();
      for (const t of tables) {
        if (chosenColumn(t.walk, columns) !== undefined) continue;
        const untried = t.walk.find((c) => !columns.has(c));
        if (untried) next.add(untried);
      }
      round = [...next];
    }
    return columns;
  }

  async close(): Promise<void> {
    this.net?.close();
    this.net = undefined;
    this.req = undefined;
  }
}

export const snmpDriver: Driver<SnmpOptions, SnmpSource> = {
  name: "snmp",
  optionsSchema: snmpOptionsSchema,
  sourceSchema: snmpSourceSchema,
  open: (device, options, ctx) => new SnmpDriverSession(device, options, ctx),
};
