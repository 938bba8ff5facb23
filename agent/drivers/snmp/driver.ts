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
import { compareOids } from "./oid.ts";
import { NO_SUCH_NAME, openNetSnmp, Requester } from "./session.ts";
import { type Columns, chosenColumn, helperColumns, isScalar, scalarRead, tableRead } from "./table.ts";
import { varbindValue } from "./values.ts";
import { BulkError, type ColumnResult, walkColumns } from "./walk.ts";

type ScalarValues = Map<string, string | number | bigint | { missing: string }>;
type WalkedVarbind = Varbind & { end?: boolean };

interface Plan {
  scalars: string[];
  tables: TableSource[];
  /** The columns of the first round of the walk. */
  columns: string[];
  /** Scalars asked as non-repeaters of the walk's first GetBulk. */
  riders: string[];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class SnmpDriverSession implements DriverSession<SnmpSource> {
  private net?: SnmpSession;
  private req?: Requester;
  /** Rows each walked column had last poll: the next walk asks for just enough repetitions. */
  private rowsLastPoll = new Map<string, number>();
  /** The device refused a GetBulk with scalars aboard: they go by GET. */
  private noRiders = false;
  private plans = new WeakMap<readonly SnmpSource[], Plan>();

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
      const { scalars, tables, columns: first, riders } = this.planFor(sources);
      const columns = await this.walkTables(req, tables, first, signal, this.noRiders ? [] : riders, values);
      const rest = scalars.filter((oid) => !values.has(oid));
      for (const chunk of chunks(rest, this.o.maxVarbinds)) {
        if (signal.aborted) throw new DeviceUnreachableError("poll cancelled (timeout)");
        await this.getScalars(req, chunk, values);
      }
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

  /** What a poll of these sources asks for, worked out once per sources list (a profile's lasts). */
  private planFor(sources: readonly SnmpSource[]): Plan {
    let plan = this.plans.get(sources);
    if (!plan) {
      const scalars = [
        ...new Set(
          sources
            .filter(isScalar)
            .flatMap((s) => [...s.get, ...(s.per ? [s.per] : []), ...(s.digits ? [s.digits] : [])]),
        ),
      ];
      const tables = sources.filter((s): s is TableSource => !isScalar(s));
      const columns = [...new Set(tables.flatMap((t) => [t.walk[0]!, ...helperColumns(t)]))];
      plan = { scalars, tables, columns, riders: this.riders(scalars, columns) };
      this.plans.set(sources, plan);
    }
    return plan;
  }

  /**
   * Scalars that can ride along the first GetBulk of the walk as non-repeaters instead of costing a GET
   * of their own: X.0 is the successor of X, so a GetNext of X answers it. Only on v2c/v3, only for
   * instances ending in .0, and only while the request stays within maxVarbinds. A device that lacks one
   * of them, refuses the mixed request or answers it out of line gets its scalars by GET from then on.
   */
  private riders(scalars: readonly string[], columns: readonly string[]): string[] {
    if (this.o.version === "1" || columns.length === 0) return [];
    const riders = scalars.filter((oid) => oid.endsWith(".0"));
    return riders.length + Math.min(columns.length, this.o.maxVarbinds) <= this.o.maxVarbinds ? riders : [];
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

  /**
   * Walks every column the tables need; a 64-bit column that gave no rows is followed by its 32-bit one.
   * `riders` (scalar X.0 instances) go as non-repeaters in the first request; their values land in
   * `values` (a scalar the device lacks is left out, for the GET that follows to report as usual).
   */
  private async walkTables(
    req: Requester,
    tables: readonly TableSource[],
    first: readonly string[],
    signal: AbortSignal,
    riders: readonly string[],
    values: ScalarValues,
  ): Promise<Columns> {
    const columns = new Map<string, ColumnResult<{ value: string | number | bigint }>>();
    let round = first;
    let aboard = riders;
    // The varbinds themselves are the walk's rows (no wrapper per varbind): `end` is set on the rare
    // error varbind, and the value is converted in place as it arrives.
    const fetch = async (oids: string[], reps: number) => {
      let lists: WalkedVarbind[][];
      if (aboard.length === 0) lists = await req.bulk(oids, reps);
      else {
        try {
          lists = await req.bulk([...aboard.map((o) => o.slice(0, -2)), ...oids], reps, aboard.length);
        } catch (err) {
          if (err instanceof BulkError) throw err;
          // A device that refuses the mixed request (genErr …): scalars by GET from now on.
          this.noRiders = true;
          aboard = [];
          return fetch(oids, reps);
        }
        // Firmware that ignores non-repeaters repeats the riders too, which shifts every list: a column
        // longer than the repetitions asked, a column answered by an OID before the one asked, or a rider
        // not answered by its own instance, and the reply is not trusted.
        const trusted =
          aboard.every((oid, i) => lists[i]?.[0]?.oid === oid) &&
          oids.every((oid, j) => {
            const list = lists[aboard.length + j] ?? [];
            const vb = list[0];
            return list.length <= reps && (!vb || snmp.isVarbindError(vb) || compareOids(vb.oid, oid) > 0);
          });
        if (!trusted) {
          this.noRiders = true;
          aboard = [];
          return fetch(oids, reps);
        }
        aboard.forEach((oid, i) => {
          const vb = lists[i]![0]!;
          if (!snmp.isVarbindError(vb)) values.set(oid, varbindValue(vb));
        });
        lists = lists.slice(aboard.length);
        aboard = [];
      }
      // Values are converted as they arrive: an octet string is a view of its reply's buffer, which it
      // would otherwise keep alive until the walk ends.
      for (const list of lists)
        for (const vb of list) {
          if (snmp.isVarbindError(vb)) vb.end = true;
          else vb.value = varbindValue(vb);
        }
      return lists;
    };
    const limits = { ...this.o, answered: () => req.answered, expectedRows: this.rowsLastPoll };
    while (round.length > 0) {
      const walked = await walkColumns(round, fetch, limits, signal);
      for (const [column, res] of walked) {
        if (res.ok) this.rowsLastPoll.set(column, res.rows.size);
        columns.set(column, res as ColumnResult<{ value: string | number | bigint }>);
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
